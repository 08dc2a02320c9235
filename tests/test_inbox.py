"""Owners' questions on the officers' side: a reply under WhatsApp's 24 hours, closing quiet questions, the hourly
digests, what erasure leaves of a question, and hostile words kept as written. Every clock here is fixed."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Row, func, select

from domain.channels import BROWSER, TELEGRAM, WHATSAPP
from flows.conversation import Conversations
from flows.engine import Turn
from flows.inbox import Replied, Sent, close_quiet_questions, held_replies, queue_digests, send_reply
from flows.messages import Inbound, Reply
from store.db import Database
from store.models import AskedQuestion, OutboxMessage, OwnerQuestion, QuestionMessage
from store.officers import PROVINCE
from transcript import Chat, Clock, Owners, add_owners

T0 = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)  # Jumat 27 November 2026, 09.00 WIB
KOTIM, KAPUAS = "62.02", "62.03"
OWNER_CHAT, OFFICER_CHAT, PROVINCE_CHAT = "123456789", "7000001", "7000002"
WHATSAPP_CHAT = "whatsapp:+6281234567001"
RUBBER = "harga karet hari ini berapa?"
ANSWER = "Harga karet di Sampit hari ini Rp 12.000 per kg."
RATING_ASK = "Apakah jawaban ini membantu? Balas dengan angka 1 (tidak membantu) sampai 5 (sangat membantu)."
HOSTILE = "<script>alert(1)</script> %(x)s {contact} ' OR 1=1 --"


def _reply_as_read(question_id: int, reply: str) -> str:
    return f"Jawaban petugas Dinas untuk pertanyaan Anda #{question_id}:\n\n{reply}\n\n{RATING_ASK}"


def _chat(database: Database, channel: str, address: str, at: datetime, owner_id: int | None = None) -> int:
    """A conversation whose owner last wrote `at`; its id."""
    with database.transaction(at) as registry:
        state = registry.open_conversation(channel, address)
        state.owner_id = owner_id
        registry.save_conversation(state)
        return state.id


def _ask(database: Database, conversation_id: int, at: datetime, kabupaten: str = KOTIM, words: str = RUBBER,
         owner_id: int | None = None) -> int:
    with database.transaction(at) as registry:
        return registry.questions.ask(conversation_id, owner_id, kabupaten, "lainnya", words)


def _officer(database: Database, scope: str, telegram_id: str, at: datetime = T0) -> int:
    """An active officer of `scope` with a Telegram chat of their own; their id."""
    with database.transaction(at) as registry:
        officer_id = registry.officers.add(f"Petugas {scope}", None, telegram_id, scope, actor="test")
    _chat(database, TELEGRAM, telegram_id, at)
    return officer_id


def _reply(database: Database, question_id: int, officer_id: int, reply: str, at: datetime) -> Replied:
    with database.transaction(at) as registry:
        question = registry.questions.get(question_id, PROVINCE)
        assert question is not None
        return send_reply(registry, question, officer_id, reply)


def _outbox(database: Database) -> list[Row]:
    with database.engine.connect() as connection:
        return list(connection.execute(select(OutboxMessage.kind, OutboxMessage.key, OutboxMessage.channel,
                                              OutboxMessage.address, OutboxMessage.text).order_by(OutboxMessage.id)))


def _question(database: Database, question_id: int) -> Row:
    with database.engine.connect() as connection:
        return connection.execute(select(OwnerQuestion.topic, OwnerQuestion.kabupaten_code, OwnerQuestion.status,
                                         OwnerQuestion.closed_why, OwnerQuestion.owner_id,
                                         OwnerQuestion.conversation_id)
                                  .where(OwnerQuestion.id == question_id)).one()


def _count(database: Database, model: type) -> int:
    with database.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(model)) or 0)


def _held(database: Database, channel: str, address: str, at: datetime) -> tuple[list[Reply], int | None]:
    """What the owner's next message at `at` is shown first."""
    with database.transaction(at) as registry:
        state = registry.open_conversation(channel, address)
        return held_replies(Turn(state, Inbound(channel, address, "m1", "ok"), registry))


# -- send_reply ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("channel", "address", "heard_before"), [
    (TELEGRAM, OWNER_CHAT, timedelta(days=3)),  # Telegram has no 24-hour rule
    (WHATSAPP, WHATSAPP_CHAT, timedelta(hours=23)),
], ids=["telegram", "whatsapp-23-hours"])
def test_a_reply_the_chat_allows_goes_whole_with_the_rating_question(database: Database, channel: str, address: str,
                                                                     heard_before: timedelta) -> None:
    question_id = _ask(database, _chat(database, channel, address, T0), T0)
    officer_id = _officer(database, PROVINCE, PROVINCE_CHAT)
    assert _reply(database, question_id, officer_id, ANSWER, T0 + heard_before).sent is Sent.QUEUED
    assert _outbox(database) == [("question_reply", None, channel, address, _reply_as_read(question_id, ANSWER))]


def test_a_reply_that_went_whole_is_not_shown_again_when_the_owner_writes(database: Database) -> None:
    question_id = _ask(database, _chat(database, TELEGRAM, OWNER_CHAT, T0), T0)
    _reply(database, question_id, _officer(database, PROVINCE, PROVINCE_CHAT), ANSWER, T0 + timedelta(hours=1))
    assert _held(database, TELEGRAM, OWNER_CHAT, T0 + timedelta(hours=2)) == ([], None)


def test_after_whatsapps_24_hours_only_the_notice_goes_without_the_reply(database: Database) -> None:
    question_id = _ask(database, _chat(database, WHATSAPP, WHATSAPP_CHAT, T0), T0)
    officer_id = _officer(database, PROVINCE, PROVINCE_CHAT)
    assert _reply(database, question_id, officer_id, ANSWER, T0 + timedelta(hours=25)).sent is Sent.TEMPLATE
    [row] = _outbox(database)
    assert row == ("reply_waiting", None, WHATSAPP, WHATSAPP_CHAT,
                   f"Dinas Koperasi dan UKM sudah menjawab pertanyaan Anda #{question_id}. Balas pesan ini untuk "
                   "membaca jawabannya.")
    assert ANSWER not in row.text


def test_a_reply_held_after_24_hours_is_shown_once_when_the_owner_writes(database: Database) -> None:
    question_id = _ask(database, _chat(database, WHATSAPP, WHATSAPP_CHAT, T0), T0)
    _reply(database, question_id, _officer(database, PROVINCE, PROVINCE_CHAT), ANSWER, T0 + timedelta(hours=25))
    shown = _held(database, WHATSAPP, WHATSAPP_CHAT, T0 + timedelta(hours=27))
    assert shown == ([Reply(_reply_as_read(question_id, ANSWER))], question_id)
    assert _held(database, WHATSAPP, WHATSAPP_CHAT, T0 + timedelta(hours=28)) == ([], None)


def test_a_reply_to_a_browser_chat_waits_for_the_owner_and_queues_nothing(database: Database) -> None:
    question_id = _ask(database, _chat(database, BROWSER, "web-visitor-1", T0), T0)
    replied = _reply(database, question_id, _officer(database, PROVINCE, PROVINCE_CHAT), ANSWER,
                     T0 + timedelta(minutes=5))
    assert replied.sent is Sent.WAITING
    assert _outbox(database) == []
    assert _held(database, BROWSER, "web-visitor-1", T0 + timedelta(hours=1)) == (
        [Reply(_reply_as_read(question_id, ANSWER))], question_id)


@pytest.mark.parametrize("how", ["blocked", "erased"])
def test_a_reply_to_an_owner_who_blocked_the_bot_or_was_erased_is_kept_and_queues_nothing(database: Database,
                                                                                          how: str) -> None:
    [owner_id] = add_owners(database, Owners(1, KOTIM, "lainnya", "mikro"), T0)
    address = f"owner-{owner_id}"
    with database.transaction(T0) as registry:
        conversation_id = registry.open_conversation(TELEGRAM, address).id
    question_id = _ask(database, conversation_id, T0, owner_id=owner_id)
    officer_id = _officer(database, PROVINCE, PROVINCE_CHAT)
    with database.transaction(T0 + timedelta(hours=1)) as registry:
        if how == "blocked":
            registry.set_blocked(TELEGRAM, address, True)
        else:
            registry.erase_owner(owner_id, actor="owner")
    assert _reply(database, question_id, officer_id, ANSWER, T0 + timedelta(hours=2)).sent is Sent.UNREACHABLE
    assert _outbox(database) == []


# -- close_quiet_questions -------------------------------------------------------------------------


@pytest.mark.parametrize(("quiet_for", "status", "why"), [
    (timedelta(days=7, minutes=1), "closed", "quiet"),
    (timedelta(days=6, hours=23), "open", None),
], ids=["a-week-and-a-minute", "six-days-23-hours"])
def test_a_question_is_closed_after_a_quiet_week_and_not_before(database: Database, quiet_for: timedelta,
                                                                status: str, why: str | None) -> None:
    question_id = _ask(database, _chat(database, TELEGRAM, OWNER_CHAT, T0), T0)
    with database.transaction(T0 + quiet_for) as registry:
        close_quiet_questions(registry)
    assert _question(database, question_id)[2:4] == (status, why)


def test_the_owner_of_a_question_closed_as_quiet_is_told_once(database: Database) -> None:
    question_id = _ask(database, _chat(database, TELEGRAM, OWNER_CHAT, T0), T0)
    closed = []
    for minutes in (1, 2):
        with database.transaction(T0 + timedelta(days=7, minutes=minutes)) as registry:
            closed.append(close_quiet_questions(registry))
    assert closed == [1, 0]
    assert _outbox(database) == [
        ("question_closed", f"question-closed:{question_id}", TELEGRAM, OWNER_CHAT,
         f"Pertanyaan Anda #{question_id} kami tutup karena seminggu tidak ada kabar. Kalau masih perlu bantuan, "
         "tulis saja: pertanyaan baru akan dibuka.")]


# -- queue_digests ---------------------------------------------------------------------------------

DIGEST_AT = T0 + timedelta(hours=1, minutes=5)  # 10.05 WIB: the past hour is 09.00 to 10.00 WIB
KOTIM_WORDS, KAPUAS_WORDS, OLD_WORDS = "harga karet di Sampit?", "pinjaman KUR di Kuala Kapuas?", "izin PIRT lama?"
DIGEST_END = "Ketik \"pertanyaan\" untuk melihat yang menunggu, atau jawab di dasbor."


def _digest_questions(database: Database) -> None:
    """#1 in Kotim at 08.05 WIB (two hours before the digest), #2 in Kotim at 09.30 WIB, #3 in Kapuas at 09.40 WIB."""
    for number, (kabupaten, words, asked) in enumerate([
            (KOTIM, OLD_WORDS, DIGEST_AT - timedelta(hours=2)),
            (KOTIM, KOTIM_WORDS, T0 + timedelta(minutes=30)),
            (KAPUAS, KAPUAS_WORDS, T0 + timedelta(minutes=40))], start=1):
        _ask(database, _chat(database, TELEGRAM, f"owner-chat-{number}", asked), asked, kabupaten, words)


@pytest.mark.parametrize(("scope", "expected"), [
    (KOTIM, "\n".join([
        "Pertanyaan baru di Kotawaringin Timur dalam satu jam terakhir: 1",
        f"#2 Kotawaringin Timur, Lainnya, menunggu 1 jam: \"{KOTIM_WORDS}\"",
        "", DIGEST_END])),
    (PROVINCE, "\n".join([
        "Pertanyaan baru di Kalimantan Tengah dalam satu jam terakhir: 2",
        f"#2 Kotawaringin Timur, Lainnya, menunggu 1 jam: \"{KOTIM_WORDS}\"",
        f"#3 Kapuas, Lainnya, menunggu 0 jam: \"{KAPUAS_WORDS}\"",
        "", DIGEST_END])),
], ids=["kotim", "province"])
def test_an_officer_gets_one_digest_of_the_past_hours_questions_in_their_scope(database: Database, scope: str,
                                                                              expected: str) -> None:
    _digest_questions(database)
    officer_id = _officer(database, scope, OFFICER_CHAT)
    with database.transaction(DIGEST_AT) as registry:
        assert queue_digests(registry) == 1
    assert _outbox(database) == [("questions_digest", f"questions-digest:{officer_id}:2026112710", TELEGRAM,
                                  OFFICER_CHAT, expected)]


def test_a_second_digest_in_the_same_hour_queues_nothing(database: Database) -> None:
    _digest_questions(database)
    _officer(database, KOTIM, OFFICER_CHAT)
    _officer(database, PROVINCE, PROVINCE_CHAT)
    queued = []
    for at in (DIGEST_AT, DIGEST_AT + timedelta(minutes=50)):
        with database.transaction(at) as registry:
            queued.append(queue_digests(registry))
    assert queued == [2, 0]
    assert [row.address for row in _outbox(database)] == [OFFICER_CHAT, PROVINCE_CHAT]


def test_a_question_opened_two_hours_ago_is_in_no_digest(database: Database) -> None:
    _digest_questions(database)
    _officer(database, KOTIM, OFFICER_CHAT)
    _officer(database, PROVINCE, PROVINCE_CHAT)
    with database.transaction(DIGEST_AT) as registry:
        queue_digests(registry)
    digests = [row.text for row in _outbox(database)]
    assert len(digests) == 2
    assert [OLD_WORDS in text or "#1 " in text for text in digests] == [False, False]


# -- erasure ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("registered", [True, False], ids=["registered", "not-registered"])
def test_erasing_an_owner_erases_their_questions_words_and_keeps_the_counts(database: Database,
                                                                            registered: bool) -> None:
    clock = Clock(T0)
    if registered:  # the business is in Kotim, so the kabupaten is not asked
        [owner_id] = add_owners(database, Owners(1, KOTIM, "lainnya", "mikro"), T0)
        chat, says = Chat(Conversations(database, clock), f"owner-{owner_id}", TELEGRAM), [RUBBER, "ya", "lainnya"]
    else:
        chat, says = Chat(Conversations(database, clock), OWNER_CHAT, TELEGRAM), [RUBBER, "ya", "lainnya", "kotim"]
    answers = [chat.say(text) for text in says]
    assert "dengan nomor #1." in answers[-1]
    assert (_count(database, QuestionMessage), _count(database, AskedQuestion)) == (1, 1)
    clock.advance(timedelta(hours=1))
    chat.say("hapus data saya")
    assert "Data Anda sudah dihapus dari pendataan." in chat.say("ya")
    assert (_count(database, QuestionMessage), _count(database, AskedQuestion)) == (0, 0)
    assert _question(database, 1) == ("lainnya", KOTIM, "closed", "erased", None, None)


# -- hostile words -----------------------------------------------------------------------------------


def _hostile_question_answered(database: Database) -> tuple[str, str]:
    """An owner asks HOSTILE on Telegram and a provincial officer answers HOSTILE: what the officer's list showed
    and what the officer was told."""
    clock = Clock(T0)
    with database.transaction(T0) as registry:
        registry.officers.add("Petugas Provinsi", None, PROVINCE_CHAT, PROVINCE, actor="test")
    owner = Chat(Conversations(database, clock), OWNER_CHAT, TELEGRAM)
    officer = Chat(Conversations(database, clock), PROVINCE_CHAT, TELEGRAM)
    for says in (HOSTILE, "ya", "lainnya", "kotim"):
        owner.say(says)
    return officer.say("pertanyaan"), officer.say(f"jawab 1 {HOSTILE}")


def test_a_hostile_question_is_stored_and_listed_as_written(database: Database) -> None:
    listed, _told = _hostile_question_answered(database)
    assert f"#1 Kotawaringin Timur, Lainnya, menunggu 0 jam: \"{HOSTILE}\"" in listed
    with database.engine.connect() as connection:
        assert list(connection.scalars(select(QuestionMessage.text).where(QuestionMessage.officer_id.is_(None)))) == [
            HOSTILE]
        assert list(connection.scalars(select(AskedQuestion.text))) == [HOSTILE]


def test_a_hostile_reply_is_stored_and_sent_as_written(database: Database) -> None:
    _listed, told = _hostile_question_answered(database)
    assert "Jawaban Anda untuk pertanyaan #1 sedang dikirim ke pemilik usaha." in told
    with database.engine.connect() as connection:
        assert list(connection.scalars(select(QuestionMessage.text).where(
            QuestionMessage.officer_id.is_not(None)))) == [HOSTILE]
    assert _outbox(database) == [("question_reply", None, TELEGRAM, OWNER_CHAT, _reply_as_read(1, HOSTILE))]
