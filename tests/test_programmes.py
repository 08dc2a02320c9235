"""The programme flow: with several owners at once (full sessions, the waiting list, freed seats, the race), what
a text picks on each screen, and the words of its screens."""

import copy
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from bot.sample import seed
from domain.invalid import Invalid
from domain.msgid import N_
from flows.conversation import Conversations
from flows.engine import START, Turn
from flows.i18n import Text
from flows.messages import Inbound
from flows.notices import elsewhere, place_held
from flows.programmes import (
    CONFIRM,
    DETAIL,
    LIST,
    NEXT,
    PREVIOUS,
    SCHEDULE,
    WAITLIST,
    WITHDRAW,
    Programmes,
    closed_line,
)
from store.db import Database
from store.models import Business, Enrollment, OutboxMessage
from store.registry import ConversationState
from store.training import Closed, ClosedCount, ProgrammeRecord, SessionInfo, SessionRecord
from transcript import FIXED_START, Chat, Clock

WIB = timezone(timedelta(hours=7))
SIGNED_UP = "Anda terdaftar di Pelatihan Pembukuan"
ASKED_TO_CONFIRM = "Daftar di sesi ini?"
OFFERED_WAITLIST = "Sesi ini sudah penuh. Masuk daftar tunggu?"


def _catalogue(database: Database, capacity: int, deadline: datetime = datetime(2027, 2, 1, tzinfo=WIB)) -> None:
    """One programme open to all, with one session in Palangka Raya."""
    with database.transaction(FIXED_START) as registry:
        registry.training.import_programmes(
            [ProgrammeRecord("pembukuan", "Pelatihan Pembukuan", "Mencatat keuangan usaha.", "Diskop UKM Kalteng",
                             ("keuangan",))],
            [SessionRecord("pembukuan", "plk", datetime(2027, 2, 9, 9, tzinfo=WIB), datetime(2027, 2, 9, 15, tzinfo=WIB),
                           "Aula Jayang Tingang", "62.71", capacity, deadline)])


def _owners_on_telegram(database: Database, conversations: Conversations, count: int) -> list[Chat]:
    """Registered owners (sample ones), each linked to a Telegram chat of their own."""
    seed(database, count)
    with database.transaction(FIXED_START) as registry:
        for owner_id in range(1, count + 1):
            state = registry.open_conversation("telegram", str(1000 + owner_id))
            state.owner_id = owner_id
            registry.save_conversation(state)
    return [Chat(conversations, str(1000 + owner_id), channel="telegram") for owner_id in range(1, count + 1)]


def _at_session(chat: Chat) -> None:
    chat.say("program")
    assert "Pelatihan Pembukuan" in chat.say("1")


def _take_seat(chat: Chat) -> str:
    """At the programme's sessions: choose the first, read it, say "ya"; the answer to the "ya"."""
    assert ASKED_TO_CONFIRM in chat.say("1")
    return chat.say("ya")


def _one_seat_taken_and_the_second_owner_offered_the_waiting_list(database: Database) -> tuple[Chat, Chat]:
    first, second = _owners_on_telegram(database, Conversations(database, Clock()), 2)
    _catalogue(database, capacity=1)
    _at_session(first)
    assert SIGNED_UP in _take_seat(first)
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
    assert SIGNED_UP in _take_seat(first)
    _at_session(second)
    assert OFFERED_WAITLIST in second.say("1")
    assert "Anda masuk daftar tunggu Pelatihan Pembukuan" in second.say("ya")
    assert "Anda urutan ke-1 di daftar tunggu" in second.say("jadwal")
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
    assert "Pendaftaran untuk sesi ini sudah ditutup." in chat.say("1")  # said at once: no "ya" to ask for
    assert _statuses(database) == {}


def test_only_owners_the_programme_admits_see_it(database: Database) -> None:
    conversations = Conversations(database, Clock())
    crafts, shop = _owners_on_telegram(database, conversations, 2)
    with database.transaction(FIXED_START) as registry:
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
    """Each owner's "ya" to the seat shown is a message on its own thread and connection, all sent at the same
    moment; those too late are told so and offered the waiting list."""
    capacity, owners = 3, 16
    conversations = Conversations(database, Clock())
    chats = _owners_on_telegram(database, conversations, owners)
    _catalogue(database, capacity=capacity)
    for chat in chats:
        _at_session(chat)
        assert ASKED_TO_CONFIRM in chat.say("1")
    start = threading.Barrier(owners)
    answers: dict[str, str] = {}

    def sign_up(chat: Chat) -> None:
        start.wait()
        answers[chat.address] = chat.say("ya")

    threads = [threading.Thread(target=sign_up, args=(chat,)) for chat in chats]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == owners
    assert sum(SIGNED_UP in answer for answer in answers.values()) == capacity
    assert sum(answer.startswith("Kursi terakhir baru saja terisi.") and OFFERED_WAITLIST in answer
               for answer in answers.values()) == owners - capacity
    assert sorted(_statuses(database).values()) == ["registered"] * capacity


def test_an_owner_who_deletes_their_data_frees_their_seat_for_the_waiting_list(database: Database) -> None:
    first, second = _one_seat_taken_and_the_second_owner_offered_the_waiting_list(database)
    second.say("ya")
    assert "Pelatihan yang akan Anda ikuti (lihat \"jadwal\"):\n- Pelatihan Pembukuan" in first.say("data saya")
    first.say("hapus data saya")
    assert "sudah dihapus" in first.say("ya")
    assert _statuses(database) == {2: "registered"}
    with database.engine.connect() as connection:
        assert connection.execute(select(OutboxMessage.address)).scalars().all() == ["1002"]


def test_data_saya_shows_the_training_attended_and_apart_the_places_held_ahead(database: Database) -> None:
    conversations = Conversations(database, Clock())
    chat, newcomer = _owners_on_telegram(database, conversations, 2)
    held = datetime(2026, 11, 3, 9, tzinfo=WIB)  # before the chat's clock: attended, and one not come to
    with database.transaction(FIXED_START) as registry:
        registry.training.import_programmes(
            [ProgrammeRecord(code, name, "Pelatihan.", "Diskop UKM Kalteng", ("keuangan",))
             for code, name in (("pembukuan", "Pelatihan Pembukuan"), ("kemasan", "Kemasan dan Label"),
                                ("nib", "Gerakan Serbu NIB"), ("halal", "Sertifikat Halal"))],
            [SessionRecord("kemasan", "past", held, held + timedelta(hours=6), "Gedung Serbaguna Sampit", "62.02",
                           30, held - timedelta(days=1)),
             SessionRecord("halal", "past", held, held + timedelta(hours=6), "Aula Jayang Tingang", "62.71", 30,
                           held - timedelta(days=1)),
             SessionRecord("pembukuan", "plk", datetime(2027, 2, 9, 9, tzinfo=WIB),
                           datetime(2027, 2, 9, 15, tzinfo=WIB), "Aula Jayang Tingang", "62.71", 30,
                           datetime(2027, 2, 1, tzinfo=WIB)),
             SessionRecord("nib", "full", datetime(2027, 1, 12, 9, tzinfo=WIB), datetime(2027, 1, 12, 15, tzinfo=WIB),
                           "Aula Bappeda Kapuas", "62.03", 1, datetime(2027, 1, 10, tzinfo=WIB))])
        training = registry.training
        ids = {code: training.session_id(training.programme_id(programme), code)
               for programme, code in (("kemasan", "past"), ("halal", "past"), ("pembukuan", "plk"),
                                       ("nib", "full"))}
        everyone = registry.audience(1)
        assert training.sign_up(ids["plk"], 1, everyone, waitlist=True).value == "registered"
        assert training.sign_up(ids["full"], 2, registry.audience(2), waitlist=True).value == "registered"
        assert training.sign_up(ids["full"], 1, everyone, waitlist=True).value == "waitlisted"
    for programme_code in ("kemasan", "halal"):  # signed up in October, marked on the day
        with database.transaction(held - timedelta(days=20)) as registry:
            session_id = registry.training.session_id(registry.training.programme_id(programme_code), "past")
            registry.training.sign_up(session_id, 1, registry.audience(1), waitlist=False)
        with database.transaction(held + timedelta(hours=1)) as registry:
            registry.training.mark_attendance(session_id, [1], programme_code == "kemasan", "62", "test")
    shown = chat.say("data saya")
    assert ("Pelatihan yang sudah Anda ikuti:\n"
            "- Kemasan dan Label, Selasa, 3 November 2026, Gedung Serbaguna Sampit, Kabupaten Kotawaringin Timur\n"
            "\n"
            "Pelatihan yang akan Anda ikuti (lihat \"jadwal\"):\n"
            "- Gerakan Serbu NIB, Selasa, 12 Januari 2027 pukul 09.00 WIB, Aula Bappeda Kapuas, Kabupaten Kapuas: "
            "Anda urutan ke-1 di daftar tunggu\n"
            "- Pelatihan Pembukuan, Selasa, 9 Februari 2027 pukul 09.00 WIB, Aula Jayang Tingang, Kota Palangkaraya: "
            "Anda terdaftar\n") in shown
    assert "Sertifikat Halal" not in shown  # marked as not come: no training attended
    chat.say("bahasa en")
    assert "Training you attended:\n- Kemasan dan Label, Tuesday, 3 November 2026," in chat.say("data saya")
    assert "Pelatihan yang sudah" not in newcomer.say("data saya")


def _in_kabupaten(database: Database, kabupaten: str) -> None:
    """Every owner's business in this kabupaten/kota."""
    with database.transaction(FIXED_START) as registry:
        registry.session.execute(update(Business).values(kabupaten_code=kabupaten))


ELSEWHERE = "Sesi ini di Kota Palangkaraya, bukan di kabupaten usaha Anda (Kotawaringin Timur)."


def test_a_sign_up_shows_the_session_and_where_it_is_and_takes_the_seat_only_after_ya(database: Database) -> None:
    (chat,) = _owners_on_telegram(database, Conversations(database, Clock()), 1)
    _catalogue(database, capacity=30)
    _in_kabupaten(database, "62.02")
    _at_session(chat)
    assert chat.say("1") == (
        "Pelatihan Pembukuan\nSelasa, 9 Februari 2027, pukul 09.00–15.00 WIB\n"
        "Aula Jayang Tingang, Kota Palangkaraya: sisa 30 kursi, daftar paling lambat Senin, 1 Februari 2027\n\n"
        f"{ELSEWHERE}\n\nDaftar di sesi ini?\n\n1. Ya\n2. Tidak\nBalas 1 atau 2.")
    assert _statuses(database) == {}
    assert "Sesi:" in chat.say("tidak")  # back to the sessions, nothing taken
    assert _statuses(database) == {}
    chat.say("1")
    assert SIGNED_UP in chat.say("1")  # "1" is the number of "Ya"
    assert _statuses(database) == {1: "registered"}


def test_a_session_in_the_owners_own_kabupaten_says_nothing_of_where_it_is_not(database: Database) -> None:
    (chat,) = _owners_on_telegram(database, Conversations(database, Clock()), 1)
    _catalogue(database, capacity=30)
    _in_kabupaten(database, "62.71")
    _at_session(chat)
    answer = chat.say("1")
    assert ASKED_TO_CONFIRM in answer and "bukan di kabupaten usaha Anda" not in answer


def test_the_waiting_list_gives_the_place_in_line_and_a_seat_given_from_it_says_where_it_is(
        database: Database) -> None:
    first, second, third = _owners_on_telegram(database, Conversations(database, Clock()), 3)
    _catalogue(database, capacity=1)
    _in_kabupaten(database, "62.02")
    _at_session(first)
    assert SIGNED_UP in _take_seat(first)
    for chat, position in ((second, 1), (third, 2)):
        _at_session(chat)
        offered = chat.say("1")
        assert f"{ELSEWHERE}\n\nSesi ini sudah penuh. Masuk daftar tunggu?" in offered
        assert f"Anda akan menjadi urutan ke-{position} di daftar tunggu." in offered
        assert f"ketik \"jadwal\". Anda urutan ke-{position} di daftar tunggu." in chat.say("1")
    assert "(Anda urutan ke-2 di daftar tunggu)" in third.say("jadwal")
    first.say("jadwal")
    first.say("1")
    assert "sudah dibatalkan" in first.say("1")
    assert "(Anda urutan ke-1 di daftar tunggu)" in third.say("jadwal")
    with database.engine.connect() as connection:
        told = connection.execute(select(OutboxMessage.address, OutboxMessage.text)).all()
    assert told == [("1002", "Kabar baik: ada kursi kosong di Pelatihan Pembukuan pada Selasa, 9 Februari 2027 pukul "
                             "09.00 WIB di Aula Jayang Tingang, Kota Palangkaraya, dan sekarang kursi itu milik Anda. "
                             "Jika ternyata tidak bisa hadir, ketik \"jadwal\" untuk membatalkan, agar orang "
                             f"berikutnya bisa ikut. {ELSEWHERE}")]


def test_erasing_ones_data_first_says_which_places_it_gives_up(database: Database) -> None:
    first, second = _one_seat_taken_and_the_second_owner_offered_the_waiting_list(database)
    second.say("ya")
    asked = second.say("hapus data saya")
    assert asked.startswith("Menghapus data juga melepas tempat Anda di pelatihan berikut, agar bisa dipakai orang "
                            "lain:\n- Pelatihan Pembukuan, Selasa, 9 Februari 2027 pukul 09.00 WIB (Anda urutan ke-1 "
                            "di daftar tunggu)\n\nHapus semua data Anda")
    assert "tidak dihapus" in second.say("tidak")
    assert "\n- Pelatihan Pembukuan, Selasa, 9 Februari 2027 pukul 09.00 WIB (Anda terdaftar)\n\nHapus semua data" in (
        first.say("hapus data saya"))
    assert _statuses(database) == {1: "registered", 2: "waitlisted"}  # nothing given up before the "ya"


# -- what a text picks on each screen, read without acting -------------------------------------

PROGRAMMES = ["Gerakan Serbu NIB", "Pembukuan dan Laporan Keuangan Sederhana", "Anyaman Rotan dan Purun"]
SESSIONS = ["Selasa, 16 Februari 2027, Kotawaringin Timur", "Selasa, 12 Januari 2027, Palangkaraya"]
PICK_A_PROGRAMME = Invalid(N_("Reply with the number of a programme (1-%(count)s), or \"kembali\"."), count=3)
PICK_A_SESSION = Invalid(N_("Reply with the number of a session (1-%(count)s), or \"kembali\" for the list."),
                         count=2)
PICK_A_PLACE = Invalid(N_("Reply with the number of a place to cancel it (1-%(count)s), or \"menu\"."), count=1)
NOTHING_TO_PICK = Invalid(N_("There is nothing to choose here: type \"kembali\" to go back, or \"menu\"."))
YES_OR_NO = Invalid(N_("Please answer ya or tidak."))
READINGS = [
    # step, the labels on the screen, what the owner typed, what it picks there
    (LIST, PROGRAMMES, "2", PROGRAMMES[1]),
    (LIST, PROGRAMMES, "no. 3", PROGRAMMES[2]),
    (LIST, PROGRAMMES, "gerakan serbu nib", PROGRAMMES[0]),
    (LIST, PROGRAMMES, "lagi", NEXT),
    (LIST, PROGRAMMES, "Berikutnya", NEXT),  # the button, as Telegram sends it
    (LIST, PROGRAMMES, "sebelumnya", PREVIOUS),
    (LIST, PROGRAMMES, "4", PICK_A_PROGRAMME),
    (LIST, PROGRAMMES, "0", PICK_A_PROGRAMME),
    (LIST, PROGRAMMES, "jadwl", PICK_A_PROGRAMME),  # a misspelt command is for the router, not a programme
    (LIST, PROGRAMMES, "progam", PICK_A_PROGRAMME),
    (LIST, PROGRAMMES, "kembali", PICK_A_PROGRAMME),
    (LIST, PROGRAMMES, "terima kasih", PICK_A_PROGRAMME),
    (LIST, [], "1", NOTHING_TO_PICK),
    (LIST, PROGRAMMES, "mau ikut yg nib", PROGRAMMES[0]),  # the name within the words around it
    (LIST, PROGRAMMES, "daftar", PICK_A_PROGRAMME),  # nothing named: for the router (which programme? a business?)
    (DETAIL, SESSIONS, "2", SESSIONS[1]),
    (DETAIL, SESSIONS, SESSIONS[0], SESSIONS[0]),
    (DETAIL, SESSIONS, "palangkaraya", SESSIONS[1]),
    (DETAIL, SESSIONS, "yg di sampit", SESSIONS[0]),  # Sampit is in Kotawaringin Timur
    (DETAIL, SESSIONS, "kotim", SESSIONS[0]),
    (DETAIL, SESSIONS, "yg di kapuas", PICK_A_SESSION),  # no session there
    (DETAIL, SESSIONS, "lagi", PICK_A_SESSION),  # only a list has pages
    (DETAIL, SESSIONS, "3", PICK_A_SESSION),
    (DETAIL, [], "1", NOTHING_TO_PICK),  # a programme with no sessions ahead any more
    (SCHEDULE, ["Gerakan Serbu NIB"], "1", "Gerakan Serbu NIB"),
    (SCHEDULE, ["Gerakan Serbu NIB"], "2", PICK_A_PLACE),
    (SCHEDULE, ["Gerakan Serbu NIB"], "data sya", PICK_A_PLACE),
    (SCHEDULE, ["Gerakan Serbu NIB"], "mau batalin yg nib", "Gerakan Serbu NIB"),
    (SCHEDULE, ["Gerakan Serbu NIB"], "batal", PICK_A_PLACE),  # nothing named: the command
    (START, PROGRAMMES, "1", NOTHING_TO_PICK),
    *((step, SESSIONS, typed, meant) for step in (CONFIRM, WAITLIST, WITHDRAW) for typed, meant in (
        ("ya", True), ("1", True), ("Ya", True), ("iya", True), ("2", False), ("tidak", False), ("gak", False),
        ("3", YES_OR_NO), ("jadwl", YES_OR_NO), ("ya tapi tidak", YES_OR_NO))),
    # The question's own verb answers it, where elsewhere it is a command.
    (CONFIRM, SESSIONS, "daftar", True),
    (CONFIRM, SESSIONS, "batal", False),  # not signing up after all
    (WAITLIST, SESSIONS, "masuk", True),
    (WITHDRAW, SESSIONS, "batal", True),
    (WITHDRAW, SESSIONS, "Batalkan!", True),
    (WITHDRAW, SESSIONS, "gak jadi", False),
    (WITHDRAW, SESSIONS, "daftar", YES_OR_NO),
]


@pytest.mark.parametrize(("step", "labels", "typed", "meant"), READINGS,
                         ids=[f"{step}-{typed}" for step, _labels, typed, _meant in READINGS])
def test_read_gives_what_the_text_picks_on_each_screen_and_changes_nothing(
        database: Database, step: str, labels: list[str], typed: str, meant: object) -> None:
    kabupaten = ["62.02", "62.71"] if labels == SESSIONS else []  # where the sessions shown are held
    answers = {"programmes": {"labels": labels, "kabupaten": kabupaten, "page": 1,
                              "buttons": ["Berikutnya", "Sebelumnya"]}}
    state = ConversationState(1, Programmes.name, step, copy.deepcopy(answers), "id", 1)
    with database.transaction(FIXED_START) as registry:
        read = Programmes().read(Turn(state, Inbound("terminal", "budi", "m1", typed), registry), typed)
    if isinstance(meant, Invalid):
        assert isinstance(read, Invalid)
        assert (read.reason, read.params) == (meant.reason, meant.params)
    else:
        assert read == meant and type(read) is type(meant)
    assert (state.flow, state.step, state.answers) == (Programmes.name, step, answers)


def test_read_at_a_screen_never_drawn_adds_no_answers() -> None:
    state = ConversationState(1, Programmes.name, LIST, {}, "id", 1)
    assert isinstance(Programmes().read(Turn(state, Inbound("terminal", "budi", "m1", "1"), None), "1"),  # type: ignore[arg-type]
                      Invalid)
    assert state.answers == {}


# -- the words of the screens -------------------------------------------------------------------


@pytest.mark.parametrize(("closed", "said"), [
    ([], None),
    ([ClosedCount(Closed.KABUPATEN, (), 2), ClosedCount(Closed.CLASS, ("kecil",), 1)],
     "3 program lain tidak terbuka untuk usaha Anda: 2 untuk kabupaten lain, 1 untuk usaha kecil."),
    ([ClosedCount(Closed.CLASS, ("kecil", "menengah"), 1), ClosedCount(Closed.SECTOR, (), 4)],
     "5 program lain tidak terbuka untuk usaha Anda: 1 untuk usaha kecil dan usaha menengah, "
     "4 untuk bidang usaha lain."),
])
def test_the_list_says_how_many_programmes_are_closed_to_the_owner_and_why(closed: list[ClosedCount],
                                                                          said: str | None) -> None:
    assert closed_line(closed, Text("id")) == said


def _session_in(kabupaten: str, status: str | None = None, position: int | None = None) -> SessionInfo:
    moment = datetime(2027, 2, 9, 9, tzinfo=WIB)
    return SessionInfo(1, 1, "Pelatihan Pembukuan", moment, moment + timedelta(hours=6), "Aula Jayang Tingang",
                       kabupaten, 30, moment - timedelta(days=2), 0, 0, status, position)


@pytest.mark.parametrize(("held", "home", "said"), [
    ("62.71", ("62.02",), "Sesi ini di Kota Palangkaraya, bukan di kabupaten usaha Anda (Kotawaringin Timur)."),
    ("62.71", ("62.02", "62.03"),
     "Sesi ini di Kota Palangkaraya, bukan di kabupaten usaha Anda (Kotawaringin Timur dan Kapuas)."),
    ("62.02", ("62.02",), None),
    ("62.03", ("62.02", "62.03"), None),  # where one of the owner's businesses is
    ("62.71", (), None),  # no business to compare with
])
def test_a_session_outside_the_kabupaten_of_every_business_of_the_owner_says_so(
        held: str, home: tuple[str, ...], said: str | None) -> None:
    assert elsewhere(_session_in(held), home, Text("id")) == said


def test_the_place_held_names_the_position_on_the_waiting_list() -> None:
    assert place_held(_session_in("62.71", "registered"), Text("id")) == "Anda terdaftar"
    assert place_held(_session_in("62.71", "waitlisted", 3), Text("id")) == "Anda urutan ke-3 di daftar tunggu"
    assert place_held(_session_in("62.71", "waitlisted", 3), Text("en")) == "you are number 3 on the waiting list"
