"""The programme flow with several owners at once: full sessions, the waiting list, freed seats, the race."""

import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from bot.sample import seed
from flows.conversation import Conversations
from store.db import Database
from store.models import Business, Enrollment, OutboxMessage
from store.training import ProgrammeRecord, SessionRecord
from transcript import Chat, Clock

WIB = timezone(timedelta(hours=7))
SIGNED_UP = "Anda terdaftar di Pelatihan Pembukuan"
OFFERED_WAITLIST = "Sesi ini sudah penuh. Masuk daftar tunggu?"


def _catalogue(database: Database, capacity: int, deadline: datetime = datetime(2027, 2, 1, tzinfo=WIB)) -> None:
    """One programme open to all, with one session in Palangka Raya."""
    with database.transaction() as registry:
        registry.training.import_programmes(
            [ProgrammeRecord("pembukuan", "Pelatihan Pembukuan", "Mencatat keuangan usaha.", "Diskop UKM Kalteng",
                             ("keuangan",))],
            [SessionRecord("pembukuan", "plk", datetime(2027, 2, 9, 9, tzinfo=WIB), datetime(2027, 2, 9, 15, tzinfo=WIB),
                           "Aula Jayang Tingang", "62.71", capacity, deadline)])


def _owners_on_telegram(database: Database, conversations: Conversations, count: int) -> list[Chat]:
    """Registered owners (sample ones), each linked to a Telegram chat of their own."""
    seed(database, count)
    with database.transaction() as registry:
        for owner_id in range(1, count + 1):
            state = registry.open_conversation("telegram", str(1000 + owner_id))
            state.owner_id = owner_id
            registry.save_conversation(state)
    return [Chat(conversations, str(1000 + owner_id), channel="telegram") for owner_id in range(1, count + 1)]


def _at_session(chat: Chat) -> None:
    chat.say("program")
    assert "Pelatihan Pembukuan" in chat.say("1")


def _one_seat_taken_and_the_second_owner_offered_the_waiting_list(database: Database) -> tuple[Chat, Chat]:
    first, second = _owners_on_telegram(database, Conversations(database, Clock()), 2)
    _catalogue(database, capacity=1)
    _at_session(first)
    assert SIGNED_UP in first.say("1")
    _at_session(second)
    assert OFFERED_WAITLIST in second.say("1")
    return first, second


def _statuses(database: Database) -> dict[int, str]:
    with database.engine.connect() as connection:
        return dict(connection.execute(select(Enrollment.owner_id, Enrollment.status)).all())


def test_a_full_session_offers_the_waiting_list_and_a_freed_seat_goes_to_the_first_waiting(database: Database) -> None:
    conversations = Conversations(database, Clock())
    first, second, third = _owners_on_telegram(database, conversations, 3)
    _catalogue(database, capacity=1)
    _at_session(first)
    assert SIGNED_UP in first.say("1")
    _at_session(second)
    assert OFFERED_WAITLIST in second.say("1")
    assert "Anda masuk daftar tunggu Pelatihan Pembukuan" in second.say("ya")
    _at_session(third)
    assert OFFERED_WAITLIST in third.say("1")
    assert "Sesi:" in third.say("tidak")  # back to the sessions, nothing taken
    assert _statuses(database) == {1: "registered", 2: "waitlisted"}

    schedule = first.say("jadwal")
    assert "Pelatihan Pembukuan" in schedule and "(Anda terdaftar)" in schedule
    first.say("1")
    assert "sudah dibatalkan" in first.say("ya")

    assert _statuses(database) == {1: "cancelled", 2: "registered"}
    with database.engine.connect() as connection:
        told = connection.execute(select(OutboxMessage.channel, OutboxMessage.address, OutboxMessage.text,
                                         OutboxMessage.status)).all()
    assert len(told) == 1
    channel, address, text, status = told[0]
    assert (channel, address, status) == ("telegram", "1002", "pending")
    assert text.startswith("Kabar baik: ada kursi kosong di Pelatihan Pembukuan pada Selasa, 9 Februari 2027 pukul 09.00 WIB")
    assert "(Anda terdaftar)" in second.say("jadwal")


def test_saying_no_to_the_waiting_list_goes_back_to_the_sessions(database: Database) -> None:
    _first, second = _one_seat_taken_and_the_second_owner_offered_the_waiting_list(database)
    answer = second.say("tidak")
    assert "Sesi:" in answer and "penuh, 0 orang di daftar tunggu" in answer
    assert _statuses(database) == {1: "registered"}


def test_after_the_deadline_a_session_takes_nobody(database: Database) -> None:
    conversations = Conversations(database, Clock())
    (chat,) = _owners_on_telegram(database, conversations, 1)
    _catalogue(database, capacity=30, deadline=datetime(2026, 11, 20, tzinfo=WIB))
    _at_session(chat)
    assert "Pendaftaran untuk sesi ini sudah ditutup." in chat.say("1")
    assert _statuses(database) == {}


def test_only_owners_the_programme_admits_see_it(database: Database) -> None:
    conversations = Conversations(database, Clock())
    crafts, shop = _owners_on_telegram(database, conversations, 2)
    with database.transaction() as registry:
        registry.training.import_programmes(
            [ProgrammeRecord("rotan", "Anyaman Rotan", "Rotan.", "UPT Balai Pelatihan KUKM", ("produk",),
                             kabupaten_codes=("62.03",), sectors=("kriya",))],
            [SessionRecord("rotan", "kps", datetime(2027, 3, 2, 9, tzinfo=WIB), datetime(2027, 3, 4, 15, tzinfo=WIB),
                           "Aula Bappeda Kapuas", "62.03", 30, datetime(2027, 3, 1, tzinfo=WIB))])
        registry.session.execute(update(Business).where(Business.owner_id == 1)
                                 .values(kabupaten_code="62.03", sector="kriya"))
        registry.session.execute(update(Business).where(Business.owner_id == 2)
                                 .values(kabupaten_code="62.03", sector="warung"))
    assert "1. Anyaman Rotan (dekat Anda: Selasa, 2 Maret 2027)" in crafts.say("program")
    assert "Saat ini belum ada pelatihan yang terbuka untuk usaha Anda." in shop.say("program")


def test_many_owners_asking_for_the_last_seats_at_once_never_overfill_the_session(database: Database) -> None:
    """Each owner's sign-up is a message on its own thread and connection, all sent at the same moment."""
    capacity, owners = 3, 16
    conversations = Conversations(database, Clock())
    chats = _owners_on_telegram(database, conversations, owners)
    _catalogue(database, capacity=capacity)
    for chat in chats:
        _at_session(chat)
    start = threading.Barrier(owners)
    answers: dict[str, str] = {}

    def sign_up(chat: Chat) -> None:
        start.wait()
        answers[chat.address] = chat.say("1")

    threads = [threading.Thread(target=sign_up, args=(chat,)) for chat in chats]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == owners
    assert sum(SIGNED_UP in answer for answer in answers.values()) == capacity
    assert sum(OFFERED_WAITLIST in answer for answer in answers.values()) == owners - capacity
    assert sorted(_statuses(database).values()) == ["registered"] * capacity


def test_an_owner_who_deletes_their_data_frees_their_seat_for_the_waiting_list(database: Database) -> None:
    first, second = _one_seat_taken_and_the_second_owner_offered_the_waiting_list(database)
    second.say("ya")
    assert "Pelatihan yang Anda ikuti: Pelatihan Pembukuan" in first.say("data saya")
    first.say("hapus data saya")
    assert "sudah dihapus" in first.say("ya")
    assert _statuses(database) == {2: "registered"}
    with database.engine.connect() as connection:
        assert connection.execute(select(OutboxMessage.address)).scalars().all() == ["1002"]
