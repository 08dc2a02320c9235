"""The message path: dedupe, state kept in the database, owners apart, bad input survived."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.channels import TERMINAL
from flows import conversation
from flows.conversation import Conversations, Waiting
from flows.engine import Turn
from flows.messages import (
    MEDIA,
    OLD_BUTTON,
    PRESSED,
    Inbound,
    Reply,
    choice_id,
    numbered,
    read_press,
    screen_key,
    shown_screen,
)
from flows.router import respond
from store.db import Database
from store.models import Business, Conversation, InboundMessage, Owner
from transcript import Chat, Clock

UP_TO_NIK = ["halo", "1", "ya", "Budi Santoso", "6202054107900001"]


def _conversation(database: Database, address: str) -> Conversation:
    with Session(database.engine) as session:
        return session.scalars(select(Conversation).where(Conversation.address == address)).one()


def test_a_retried_message_is_answered_once_and_changes_nothing(database: Database) -> None:
    chat = Chat(Conversations(database, Clock()))
    for text in UP_TO_NIK:
        chat.say(text)
    before = _conversation(database, "budi")
    assert chat.say("081234567890", message_id="wamid.1").startswith("Pertanyaan 4 dari 13")
    assert chat.say("081234567890", message_id="wamid.1") == ""
    after = _conversation(database, "budi")
    assert after.step == "business_name" and before.step == "phone"
    with Session(database.engine) as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == len(UP_TO_NIK) + 1


def test_state_lives_in_the_database_not_in_the_engine(database: Database) -> None:
    first = Chat(Conversations(database, Clock()))
    for text in UP_TO_NIK:
        first.say(text)
    # A new engine and a new Conversations: all a restarted process would have.
    restarted = Database(database.url)
    try:
        answer = Chat(Conversations(restarted, Clock())).say("halo")
    finally:
        restarted.dispose()
    assert "Selamat datang kembali" in answer
    assert "Pertanyaan 3 dari 13" in answer


def test_three_days_later_halo_finds_the_half_finished_registration(database: Database) -> None:
    clock = Clock()
    chat = Chat(Conversations(database, clock))
    for text in UP_TO_NIK:
        chat.say(text)
    clock.advance(timedelta(days=3))
    answer = chat.say("halo")
    assert "Selamat datang kembali" in answer and "Pertanyaan 3 dari 13" in answer
    assert "2 dari 13 terjawab" in chat.say("menu")


def _registration(name: str, nik: str, business: str) -> list[str]:
    return ["halo", "1", "ya", name, nik, "0812 3456 7890", business, "1", "Kotim", "Baamang",
            "Jl. Tjilik Riwut No. 5", "belum punya", "2019", "3", "15 juta", "2,5 jt", "ya"]


def test_two_owners_interleaved_each_get_their_own_registration(database: Database) -> None:
    conversations = Conversations(database, Clock())
    budi, siti = Chat(conversations, "budi"), Chat(conversations, "siti")
    budi_says = _registration("Budi Santoso", "6202054107900001", "Warung Budi")
    siti_says = ["halo", "daftar", *_registration("Siti Rahayu", "6271034506850002", "Salon Siti")[2:]]
    for budi_text, siti_text in zip(budi_says, siti_says, strict=True):
        budi_answer, siti_answer = budi.say(budi_text), siti.say(siti_text)
    assert "sudah terdaftar" in budi_answer and "sudah terdaftar" in siti_answer
    with Session(database.engine) as session:
        pairs = session.execute(
            select(Owner.name, Owner.nik, Business.name).join(Business.owner).order_by(Owner.name)
        ).all()
    assert [tuple(pair) for pair in pairs] == [("Budi Santoso", "6202054107900001", "Warung Budi"),
                                               ("Siti Rahayu", "6271034506850002", "Salon Siti")]
    assert "Warung Budi" in budi.say("data saya") and "Salon Siti" not in budi.say("data saya")


HOSTILE = ["", "   ", "x" * 5000, "🙂🙂🙂", "\x00\x07\x1b[31m", "'; DROP TABLE owners; --",
           "<b onmouseover=alert(1)>hi</b>", "\u202e\u200b"]
# How far into the registration to go before the hostile text, and the question it must repeat.
STEPS = [(3, "Pertanyaan 1 dari 13"), (4, "Pertanyaan 2 dari 13"), (6, "Pertanyaan 4 dari 13"),
         (8, "Pertanyaan 6 dari 13"), (10, "Pertanyaan 8 dari 13"), (14, "Pertanyaan 12 dari 13")]


@pytest.mark.parametrize(("answered", "question"), STEPS)
def test_bad_input_gets_a_reply_and_loses_nothing(database: Database, answered: int, question: str) -> None:
    chat = Chat(Conversations(database, Clock()))
    script = _registration("Budi Santoso", "6202054107900001", "Warung Budi")
    for text in script[:answered]:
        chat.say(text)
    before = _conversation(database, "budi").answers
    for nasty in HOSTILE:
        answer = chat.say(nasty)
        assert question in answer, (nasty, answer)
        assert "Traceback" not in answer
    assert _conversation(database, "budi").answers == before


def test_an_attachment_without_text_is_answered_kindly(database: Database) -> None:
    conversations = Conversations(database, Clock())
    replies = conversations.handle(Inbound("terminal", "budi", "m1", "", attachment=MEDIA))
    assert "hanya bisa membaca pesan teks" in replies[0].text
    assert replies[-1].choices  # and the menu to go on from


def test_a_nik_registered_by_someone_else_is_refused_kindly(database: Database) -> None:
    conversations = Conversations(database, Clock())
    for text in _registration("Budi Santoso", "6202054107900001", "Warung Budi"):
        Chat(conversations, "budi").say(text)
    other = Chat(conversations, "orang-lain")
    for text in ["halo", "1", "ya", "Orang Lain"]:
        other.say(text)
    answer = other.say("6202 0541 0790 0001")
    assert "NIK ini sudah terdaftar atas nama orang lain" in answer
    assert "Pertanyaan 2 dari 13" in answer


def test_two_chats_racing_with_one_nik_end_with_one_owner_and_a_kind_word(database: Database) -> None:
    conversations = Conversations(database, Clock())
    first, second = Chat(conversations, "first"), Chat(conversations, "second")
    script = _registration("Budi Santoso", "6202054107900001", "Warung Budi")
    for text in script[:-1]:  # both get past the NIK check before either saves
        first.say(text)
        second.say(text)
    assert "sudah terdaftar" in first.say("ya")
    answer = second.say("ya")
    assert "NIK ini sudah terdaftar atas nama orang lain" in answer and "Pertanyaan 2 dari 13" in answer
    assert _conversation(database, "second").answers["registration"]["business_name"] == "Warung Budi"
    with Session(database.engine) as session:
        assert session.scalar(select(func.count()).select_from(Owner)) == 1


def test_one_message_delivered_many_times_at_once_is_answered_once(database: Database) -> None:
    conversations = Conversations(database, Clock())
    inbound = Inbound("telegram", "4242", "update-1", "halo")
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: conversations.handle(inbound), range(6)))
    assert sorted(len(replies) > 0 for replies in answers) == [False] * 5 + [True]


def test_first_messages_of_a_new_chat_arriving_together_make_one_conversation(database: Database) -> None:
    conversations = Conversations(database, Clock())
    messages = [Inbound("telegram", "777", f"update-{n}", text) for n, text in enumerate(["halo", "menu", "bantuan"])]
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(conversations.handle, messages))
    assert all(answers)
    with Session(database.engine) as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1


def test_a_message_that_breaks_a_flow_gets_an_apology_and_blocks_nothing_behind_it(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    def respond_or_break(turn: Turn) -> list[Reply]:
        if turn.inbound.text == "boom":
            raise RuntimeError("a bug in a flow")
        return respond(turn)

    monkeypatch.setattr(conversation, "respond", respond_or_break)
    conversations = Conversations(database, Clock())
    waiting = [Waiting(Inbound("terminal", "budi", f"m{i}", text), i) for i, text in enumerate(["halo", "boom", "1"])]
    for message in waiting:
        assert conversations.queue(message)
    replies = conversations.handle_waiting("terminal", "budi", lambda: waiting)
    assert "Selamat datang di TABE" in replies["m0"][0].text
    assert [reply.text for reply in replies["m1"]] == ["Maaf, ada gangguan di sistem kami. Silakan kirim lagi pesan "
                                                       "terakhir Anda sebentar lagi."]
    assert "Apakah Anda setuju?" in replies["m2"][-1].text  # "1" after the menu: the message behind went on
    assert conversations.handle(Inbound("terminal", "budi", "m1", "boom")) == []  # handled, not waiting for ever


def _pressing(conversations: Conversations, address: str, text: str, attachment: str | None = None) -> list[Reply]:
    return conversations.handle(Inbound(TERMINAL, address, uuid.uuid4().hex, text, attachment=attachment))


def test_a_press_is_read_as_exactly_its_choice_and_an_older_one_as_an_old_button(database: Database) -> None:
    conversations = Conversations(database, Clock())
    menu = _pressing(conversations, "sari", "halo")[-1]
    shown = _conversation(database, "sari").screen
    assert shown == {"key": screen_key(menu.choices, "id"), "choices": [[c.number, c.label] for c in menu.choices]}
    assert [choice.label for choice in menu.choices][0] == "Daftarkan usaha saya"
    consent = _pressing(conversations, "sari", choice_id(shown["key"], 1), PRESSED)
    assert consent[-1].text.startswith("Sebelum mulai: Dinas Koperasi dan UKM")
    assert [choice.label for choice in consent[-1].choices] == ["Ya, saya setuju", "Tidak"]
    assert _conversation(database, "sari").screen["key"] != shown["key"]
    stale = _pressing(conversations, "sari", choice_id(shown["key"], 1), PRESSED)
    assert stale[0].text == "Tombol itu milik pesan sebelumnya."
    assert stale[-1].text == consent[-1].text  # asked again, where the owner stands
    unknown = _pressing(conversations, "sari", "not-a-choice", PRESSED)
    assert unknown[0].text == "Tombol itu milik pesan sebelumnya."


def test_a_press_on_a_button_without_a_number_is_its_label(database: Database) -> None:
    screen = {"key": "k", "choices": [[None, "Ya, simpan"], [None, "Ubah"]]}
    pressed = read_press(Inbound(TERMINAL, "a", "1", choice_id("k", 2), attachment=PRESSED), screen)
    assert (pressed.text, pressed.attachment) == ("Ubah", None)
    numbered = read_press(Inbound(TERMINAL, "a", "1", choice_id("k", 1), attachment=PRESSED),
                          {"key": "k", "choices": [[1, "Ya"], [2, "Tidak"]]})
    assert (numbered.text, numbered.attachment) == ("1", None)
    assert read_press(Inbound(TERMINAL, "a", "1", "k.3", attachment=PRESSED), screen).attachment == OLD_BUTTON
    assert read_press(Inbound(TERMINAL, "a", "1", "k.1", attachment=PRESSED), None).attachment == OLD_BUTTON
    assert read_press(Inbound(TERMINAL, "a", "1", "1"), None).text == "1"  # typed, not pressed: as it came


def test_the_screen_is_the_last_reply_with_choices_and_none_without() -> None:
    question = Reply("Sektor?", numbered(["Kuliner", "Fesyen"]))
    assert shown_screen([question, Reply("Catatan")])["key"] == screen_key(question.choices, "id")
    assert shown_screen([Reply("Nama usaha?")]) is None
    assert screen_key(question.choices, "id") != screen_key(question.choices, "en")
