"""The message path: dedupe, state kept in the database, owners apart, bad input survived."""

from datetime import timedelta

from sqlalchemy import func, select

from flows.conversation import Conversations
from flows.messages import Inbound
from store.db import Database
from store.models import Conversation, InboundMessage
from transcript import Chat, Clock

UP_TO_NIK = ["halo", "1", "ya", "Budi Santoso", "6202054107900001"]


def _conversation(database: Database, address: str) -> Conversation:
    with database.session() as session:
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
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == len(UP_TO_NIK) + 1


def test_state_survives_a_restart_of_the_process(database: Database) -> None:
    first = Chat(Conversations(database, Clock()))
    for text in UP_TO_NIK:
        first.say(text)
    # A new Conversations on a new engine is all a restarted process would have.
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


def test_two_owners_interleaved_keep_their_own_answers(database: Database) -> None:
    conversations = Conversations(database, Clock())
    budi, siti = Chat(conversations, "budi"), Chat(conversations, "siti")
    for budi_says, siti_says in zip(["halo", "1", "ya", "Budi Santoso"], ["daftar", "ya", "Siti Rahayu", "6271034506850002"]):
        budi.say(budi_says)
        siti.say(siti_says)
    assert "Pertanyaan 2 dari 13" in budi.say("bantuan")
    assert "Pertanyaan 3 dari 13" in siti.say("bantuan")
    assert _conversation(database, "budi").answers["registration"]["owner_name"] == "Budi Santoso"
    assert _conversation(database, "siti").answers["registration"]["owner_name"] == "Siti Rahayu"


def test_bad_input_gets_a_reply_and_loses_nothing(database: Database) -> None:
    chat = Chat(Conversations(database, Clock()))
    for text in UP_TO_NIK:
        chat.say(text)
    for nasty in ["", "   ", "x" * 5000, "🙂🙂🙂", "\x00\x07\x1b[31m", "'; DROP TABLE owners; --",
                  "<b onmouseover=alert(1)>hi</b>", "\u202e\u200b", "0812\x00345"]:
        answer = chat.say(nasty)
        assert "Pertanyaan 3 dari 13" in answer, (nasty, answer)
    assert _conversation(database, "budi").answers["registration"]["nik"] == "6202054107900001"


def test_an_attachment_without_text_is_answered_kindly(database: Database) -> None:
    conversations = Conversations(database, Clock())
    replies = conversations.handle(Inbound("terminal", "budi", "m1", "", attachment="sticker"))
    assert "hanya bisa membaca pesan teks" in replies[0].text
    assert replies[-1].choices  # and the menu to go on from
