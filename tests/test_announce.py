"""Officers announcing in the chat (flows/announce.py): who may, whom they reach, and owners' "berhenti"/"mulai".

The registry below holds owners in three kabupaten with different businesses, one of whom stopped
announcements, one blocked the bot and one only ever used the browser; one has a self-assessment
and one is enrolled in a programme. Every test runs on SQLite and on PostgreSQL.
"""

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from domain.channels import PUSH_CHANNELS
from domain.outbox import ANNOUNCEMENT
from flows.announce import CONSENT_VERSION
from flows.announcement_consent import announcement_consent, owes_an_answer
from flows.conversation import Conversations
from flows.engine import Turn
from flows.messages import Inbound, Reply
from store.announcements import CONSENT_PURPOSE, Segment
from store.db import Database
from store.models import Announcement, Consent, OutboxMessage
from store.officers import PROVINCE
from store.outbox import Delivery
from store.training import ProgrammeRecord, SessionRecord
from transcript import FIXED_START, Chat, Clock, Owners, add_owners

WIB = timezone(timedelta(hours=7))
KOTIM, KAPUAS, PALANGKA = "62.02", "62.03", "62.71"
PROVINCIAL_TELEGRAM_ID = "777001"
KOTIM_PHONE = "+6285200000002"
ORDINARY = "Maaf, saya belum mengerti."
REACHES = re.compile(r"sampai ke (\d+) pemilik usaha")
NOBODY = "Tidak ada yang bisa dikirimi"
ANOTHER = "Tambah syarat lain, atau kirim ke mereka?"
WHEN = "Kapan dikirim?"

# Who is in the registry, in the order they are added: (owners, kabupaten, sector, class, how they chat).
REGISTRY = (
    Owners(2, KOTIM, "kuliner", "mikro"),
    Owners(1, KOTIM, "kriya", "kecil"),  # took a self-assessment: berkembang
    Owners(1, KAPUAS, "kuliner", "mikro"),  # enrolled in the programme
    Owners(1, KAPUAS, "jasa", "menengah"),
    Owners(1, PALANGKA, "fesyen", "kecil", "stopped"),
    Owners(1, PALANGKA, "warung", "mikro", "blocked"),
    Owners(1, PALANGKA, "olahan", "mikro", "browser"),
)
ASSESSED, ENROLLED = 3, 4  # owner ids


@pytest.fixture
def registry(database: Database) -> Database:
    """The owners above, a provincial officer on Telegram and a Kotawaringin Timur officer by phone."""
    clock = Clock()
    for owners in REGISTRY:
        add_owners(database, owners, clock())
    with database.transaction(clock()) as registry:
        registry.training.import_programmes(
            [ProgrammeRecord("qris", "Pelatihan QRIS", "Pembayaran digital.", "Diskop UKM Kalteng", ("digital",))],
            [SessionRecord("qris", "plk", datetime(2027, 2, 9, 9, tzinfo=WIB), datetime(2027, 2, 9, 15, tzinfo=WIB),
                           "Aula Jayang Tingang", PALANGKA, 20, datetime(2027, 2, 1, tzinfo=WIB))])
        session_id = registry.training.sessions(1, ENROLLED)[0].id
        registry.training.sign_up(session_id, ENROLLED, registry.audience(ENROLLED), waitlist=False)
        business_id = registry.owner_profile(ASSESSED).businesses[0].id
        registry.assessments.save(ASSESSED, business_id, {}, 45.0, "berkembang", {})
        registry.officers.add("Rina Lestari", None, PROVINCIAL_TELEGRAM_ID, PROVINCE, actor="test")
        registry.officers.add("Budi Tambun", KOTIM_PHONE, None, KOTIM, actor="test")
    return database


def _provincial(database: Database) -> Chat:
    return Chat(Conversations(database, Clock()), PROVINCIAL_TELEGRAM_ID, channel="telegram")


def _kotim_officer(database: Database) -> Chat:
    return Chat(Conversations(database, Clock()), KOTIM_PHONE)


def _owner(database: Database, owner_id: int) -> Chat:
    return Chat(Conversations(database, Clock()), f"owner-{owner_id}", channel="telegram")


def _reached(chat: Chat, *choices: str) -> int:
    """Write an announcement and choose its recipients; how many owners the preview says it reaches."""
    chat.say("umumkan")
    chat.say("Pelatihan QRIS gratis, Kamis 3 Desember 2026.")
    for choice in choices[:-1]:
        chat.say(choice)
    answer = chat.say(choices[-1])
    if NOBODY in answer:
        return 0
    if ANOTHER in answer:  # a condition chosen: no other one
        answer = chat.say("1")
    assert WHEN in answer, answer
    answer = chat.say("sekarang")
    found = REACHES.search(answer)
    assert found, answer
    return int(found[1])


@pytest.mark.parametrize(("choices", "reached"), [
    (["1"], 5),  # everyone reachable: not the stopped, the blocked or the browser-only owner
    (["2", "Kapuas"], 2),
    (["2", "Sampit"], 3),
    (["2", "Palangka Raya"], 0),  # three owners there, none of them reachable
    (["3", "kuliner"], 3),
    (["3", "wisata"], 0),
    (["4", "menengah"], 1),
    (["4", "kecil"], 1),  # the other small business is the owner who stopped announcements
    (["5", "Pelatihan QRIS"], 1),
    (["6", "1"], 1),  # the one session's one participant
    (["7", "Berkembang"], 1),
    (["7", "Pemula"], 0),
    # conditions one after another, each narrowing
    (["3", "kuliner", "2", "Sampit"], 2),
    (["2", "Kapuas", "2", "kuliner", "2", "mikro"], 1),
    (["2", "Kapuas", "2", "kuliner", "2", "kecil"], 0),
])
def test_a_provincial_officer_reaches_the_owners_each_choice_means(registry: Database, choices: list[str],
                                                                   reached: int) -> None:
    assert _reached(_provincial(registry), *choices) == reached


@pytest.mark.parametrize(("choices", "reached"), [
    (["1"], 3),
    (["Sampit"], 3),  # the officer's own kabupaten is everyone there
    (["2", "kuliner"], 2),
    (["3", "mikro"], 2),
    (["4", "Pelatihan QRIS"], 0),  # its one participant is in Kapuas
    (["5", "Berkembang"], 1),
])
def test_a_kabupaten_officer_reaches_owners_in_their_kabupaten_only(registry: Database, choices: list[str],
                                                                    reached: int) -> None:
    assert _reached(_kotim_officer(registry), *choices) == reached


def test_a_kabupaten_officer_is_not_offered_other_kabupaten_and_cannot_name_one(registry: Database) -> None:
    officer = _kotim_officer(registry)
    officer.say("umumkan")
    choices = officer.say("Bazar UMKM di Sampit")
    assert "1. Semua pemilik usaha di Kabupaten Kotawaringin Timur" in choices
    assert "kabupaten atau kota" not in choices
    refused = officer.say("Kapuas")
    assert "Anda hanya bisa mengumumkan kepada pemilik usaha di Kabupaten Kotawaringin Timur" in refused
    assert REACHES.search(refused) is None


@pytest.mark.parametrize("says", ["umumkan", "/umumkan", "pengumuman", "laporan", "laporan 1", "report"])
@pytest.mark.parametrize("who", ["stranger", "removed officer", "registered owner"])
def test_officer_words_from_anyone_else_are_ordinary_text(registry: Database, who: str, says: str) -> None:
    if who == "removed officer":
        with registry.transaction() as officers:
            officers.officers.remove(1, actor="test")
        chat = _provincial(registry)
    else:
        chat = _owner(registry, 1) if who == "registered owner" else Chat(Conversations(registry, Clock()), "siti")
    answer = chat.say(says)
    assert ORDINARY in answer and "Menu utama" in answer


def test_an_officer_removed_half_way_sends_nothing(registry: Database) -> None:
    officer = _provincial(registry)
    officer.say("umumkan")
    officer.say("Pelatihan QRIS gratis")
    assert WHEN in officer.say("1")
    assert REACHES.search(officer.say("sekarang"))
    with registry.transaction() as officers:
        officers.officers.remove(1, actor="test")
    assert "Menu utama" in officer.say("ya")
    assert _outbox(registry) == []


def test_an_officer_who_is_an_owner_keeps_every_owner_word(registry: Database) -> None:
    with registry.transaction() as officers:
        officers.officers.add("Pemilik dan petugas", None, "owner-1", KOTIM, actor="test")
    both = _owner(registry, 1)
    assert "Pengumuman dari Dinas: aktif" in both.say("data saya")
    assert "Beres: Anda tidak akan menerima pengumuman" in both.say("berhenti")
    assert "Ketik pengumumannya" in both.say("umumkan")


def test_confirming_queues_one_announcement_row_per_recipient(registry: Database) -> None:
    officer = _provincial(registry)
    assert _reached(officer, "1") == 5
    assert "Pengumuman nomor 1 sudah diantrekan untuk 5 pemilik usaha" in officer.say("ya")
    rows = _outbox(registry)
    assert len(rows) == 5 and {(row.kind, row.announcement_id, row.status) for row in rows} == {
        (ANNOUNCEMENT, 1, Delivery.PENDING)}
    with registry.engine.connect() as connection:
        announcement = connection.execute(select(Announcement.author, Announcement.officer_id, Announcement.text,
                                                 Announcement.recipients, Announcement.stopped)).one()
    assert tuple(announcement) == ("Rina Lestari", 1, "Pelatihan QRIS gratis, Kamis 3 Desember 2026.", 5, 1)
    report = officer.say("laporan")
    assert "Nomor 1," in report and "menunggu 5, tidak dikirimi 3." in report


def test_saying_no_sends_nothing_and_asks_again_keeping_the_words(registry: Database) -> None:
    officer = _provincial(registry)
    _reached(officer, "1")
    assert "Siapa yang perlu menerimanya?" in officer.say("tidak")
    assert "Pemilik usaha kelas apa?" in officer.say("4")
    assert ANOTHER in officer.say("mikro")
    assert "Pelatihan QRIS gratis, Kamis" in officer.say("1")  # the words and the time were kept
    assert _outbox(registry) == []


def test_an_announcement_keeps_its_paragraphs(registry: Database) -> None:
    officer = _provincial(registry)
    officer.say("umumkan")
    officer.say("Pelatihan QRIS gratis.\n\n\n\n  Daftar   di kantor Dinas.  ")
    officer.say("1")
    preview = officer.say("sekarang")
    assert "Pelatihan QRIS gratis.\n\nDaftar di kantor Dinas." in preview


def test_a_kabupaten_officer_reports_on_their_kabupaten_only(registry: Database) -> None:
    provincial = _provincial(registry)
    _reached(provincial, "1")
    provincial.say("ya")
    kotim = _kotim_officer(registry)
    assert "Belum ada pengumuman yang dikirim di Kabupaten Kotawaringin Timur" in kotim.say("laporan")
    assert "Tidak ada pengumuman nomor 1 di Kabupaten Kotawaringin Timur" in kotim.say("laporan 1")
    _reached(kotim, "1")
    kotim.say("ya")
    assert "Nomor 2," in kotim.say("laporan") and "Nomor 1," not in kotim.say("laporan")
    assert "Nomor 2," in provincial.say("laporan") and "Nomor 1," in provincial.say("laporan")


def test_berhenti_and_mulai_change_who_is_reached_and_are_kept_as_consent(registry: Database) -> None:
    owner = _owner(registry, 1)
    assert "Beres: Anda tidak akan menerima pengumuman" in owner.say("berhenti")
    assert "memang sudah dihentikan" in owner.say("unsubscribe")
    officer = _provincial(registry)
    assert _reached(officer, "1") == 4
    assert "Pengumuman dibatalkan" in officer.say("batal") + officer.say("ya")
    assert "Beres: Anda akan menerima pengumuman dari Dinas." in owner.say("mulai pengumuman")
    assert "Anda memang menerima pengumuman" in owner.say("subscribe")
    assert _reached(officer, "1") == 5
    with registry.engine.connect() as connection:
        answers = connection.execute(select(Consent.accepted, Consent.text_version).where(
            Consent.owner_id == 1, Consent.purpose == CONSENT_PURPOSE).order_by(Consent.id)).all()
    assert [tuple(answer) for answer in answers] == [(False, CONSENT_VERSION), (True, CONSENT_VERSION)]


def test_berhenti_cancels_what_waits_for_that_owner(registry: Database) -> None:
    officer = _provincial(registry)
    _reached(officer, "1")
    officer.say("ya")
    _owner(registry, 2).say("stop")
    assert {row.owner_id: row.status for row in _outbox(registry)} == {
        1: Delivery.PENDING, 2: Delivery.CANCELLED, 3: Delivery.PENDING, 4: Delivery.PENDING, 5: Delivery.PENDING}
    assert "tidak dikirimi 4." in officer.say("laporan")


def _outbox(database: Database) -> list:  # noqa: ANN401 - rows of the outbox
    with database.engine.connect() as connection:
        return list(connection.execute(select(OutboxMessage).order_by(OutboxMessage.owner_id)))


@pytest.mark.parametrize(("condition", "value"), [("sector", "tambang"), ("business_class", "raksasa"),
                                                  ("level", "ahli"), ("programme_id", 999)])
def test_a_report_names_a_choice_no_longer_known_as_it_was_stored(registry: Database, condition: str,
                                                                  value: str | int) -> None:
    """An old announcement's segment may name a kind of business, class or level the menu has since dropped."""
    with registry.transaction() as unit:
        number, _reach = unit.announcements.announce("Dulu", Segment(PROVINCE, **{condition: value}),
                                                     PUSH_CHANNELS, "Rina Lestari")
    shown = str(value) if condition != "programme_id" else f"#{value}"
    assert shown in _provincial(registry).say(f"laporan {number}")


# -- asking whether the owner wants announcements ----------------------------------------------------------

QUESTION = "Apakah Anda mau menerima pengumuman program dan pelatihan dari Dinas lewat chat ini?"


def _never_asked(database: Database) -> int:
    """An owner registered before announcements were asked about: their id."""
    [owner_id] = add_owners(database, Owners(1, KOTIM, "kuliner", "mikro", "unasked"), FIXED_START)
    return owner_id


def _consent_turn(database: Database, owner_id: int, says: str, answer: bool = True) -> tuple[list[Reply], bool]:
    """One message to the announcements question, started first unless the chat is in it: the replies, and whether
    the owner still owes an answer."""
    with database.transaction(FIXED_START) as unit:
        state = unit.open_conversation("telegram", f"owner-{owner_id}")
        turn = Turn(state, Inbound("telegram", f"owner-{owner_id}", says, says), unit)
        if state.flow != announcement_consent.name:
            replies = announcement_consent.start(turn)
        elif answer:
            replies = announcement_consent.answer(turn, says)
        else:
            replies = announcement_consent.cancel(turn)
        owes = owes_an_answer(turn)
        unit.save_conversation(state)
    return replies, owes


def _proofs(database: Database, owner_id: int) -> list[tuple[bool, str]]:
    with database.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(Consent.accepted, Consent.text_version).where(
            Consent.owner_id == owner_id, Consent.purpose == CONSENT_PURPOSE).order_by(Consent.id))]


@pytest.mark.parametrize(("says", "receives"), [("1", True), ("ya", True), ("2", False), ("tidak", False)])
def test_an_owner_never_asked_is_asked_once_and_the_answer_is_kept_with_its_text(database: Database, says: str,
                                                                                 receives: bool) -> None:
    owner_id = _never_asked(database)
    with database.transaction(FIXED_START) as unit:
        assert unit.announcements.owes_an_answer(owner_id)
    [asked], owes = _consent_turn(database, owner_id, "menu")
    assert asked.text.startswith(QUESTION) and "UU No. 27 Tahun 2022" in asked.text and '"berhenti"' in asked.text
    assert [choice.label for choice in asked.choices] == ["Ya", "Tidak"] and not owes  # asked: not again
    [answered], owes = _consent_turn(database, owner_id, says)
    assert answered.text.startswith("Terima kasih. Anda akan menerima pengumuman" if receives
                                    else "Baik, kami tidak akan mengirimi Anda pengumuman.")
    [(accepted, version)] = _proofs(database, owner_id)
    assert accepted is receives and re.fullmatch(r"announcements-id-[0-9a-f]{12}", version)
    with database.transaction(FIXED_START) as unit:
        assert unit.announcements.receives(owner_id) is receives
        reach = unit.announcements.reach(Segment(KOTIM), PUSH_CHANNELS)
    assert (reach.recipients, reach.stopped, reach.not_asked) == ((1, 0, 0) if receives else (0, 1, 0))


def test_an_owner_who_leaves_the_question_unanswered_is_not_asked_again_and_gets_nothing(database: Database) -> None:
    owner_id = _never_asked(database)
    _consent_turn(database, owner_id, "menu")
    [left], owes = _consent_turn(database, owner_id, "batal", answer=False)
    assert 'ketik "mulai"' in left.text and not owes and _proofs(database, owner_id) == []
    with database.transaction(FIXED_START) as unit:
        assert unit.announcements.reach(Segment(KOTIM), PUSH_CHANNELS).not_asked == 1


def test_an_announcement_is_headed_with_the_sender_s_office(registry: Database) -> None:
    for officer, office in ((_kotim_officer(registry), "Kabupaten Kotawaringin Timur"),
                            (_provincial(registry), "Provinsi Kalimantan Tengah")):
        officer.say("umumkan")
        officer.say("Bazar UMKM")
        officer.say("1")
        assert f"Pengumuman dari Dinas Koperasi dan UKM {office}:\n\nBazar UMKM" in officer.say("sekarang")
