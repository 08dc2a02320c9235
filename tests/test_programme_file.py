"""Officers' programme files (flows/programme_file.py): reading CSV and YAML, every problem with its line,
and applying a file to the registry whole.

Reading needs no database; applying runs on SQLite and on PostgreSQL. The files are in tests/programmes/.
"""

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.sample import seed
from domain.invalid import Invalid, Phrase, english
from domain.wib import WIB
from flows.i18n import Text
from flows.programme_file import (
    Fields,
    Problem,
    ProgrammeFileError,
    apply_programmes,
    read_programme_file,
    save_programmes,
    session_of,
)
from store.db import Database
from store.models import Enrollment, OutboxMessage, Programme, TrainingSession
from store.training import ProgrammeRecord, SessionRecord, SignUp, Tally

FILES = Path(__file__).parent / "programmes"
SAMPLE = Path(__file__).parent.parent / "bot" / "sample_programmes.yaml"
BEFORE_THE_SESSIONS = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)  # sign-ups are open then
HEADER = ("programme,name,description,organiser,teaches,kabupaten,classes,sectors,session,starts,ends,place,"
          "session_kabupaten,capacity,signup_deadline")
ROW = ("nib-2027,Gerakan Serbu NIB,Membuat NIB.,Dinas Koperasi dan UKM,legalitas,,,,plk-1,2027-01-12 09:00,"
       "2027-01-14 15:00,Aula Jayang Tingang,62.71,40,")


def wib(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=WIB)


KEMASAN = ProgrammeRecord(
    code="kemasan-2027", name="Pelatihan Kemasan dan Label", description="Kemasan yang menarik, aman\ndan label yang "
    "lengkap.", organiser="UPT Balai Pelatihan KUKM Provinsi Kalimantan Tengah", dimensions=("produk",),
    sectors=("kuliner", "olahan"))
KUR = ProgrammeRecord(
    code="kur-2027", name="Akses Pembiayaan dan KUR", description="Mengenal KUR dan menyiapkan berkas pengajuan.",
    organiser="Dinas Koperasi dan UKM Provinsi Kalimantan Tengah", dimensions=("keuangan",),
    kabupaten_codes=("62.03", "62.71"), business_classes=("mikro", "kecil"))
GOOD_SESSIONS = [
    SessionRecord("kemasan-2027", "plk-1", wib(2, 2, 9), wib(2, 4, 15), "Aula UPT Balai Pelatihan KUKM", "62.71", 30,
                  wib(2, 1, 9)),
    SessionRecord("kemasan-2027", "spt-1", wib(3, 2, 9), wib(3, 4, 15), "Gedung Serbaguna Sampit", "62.02", 25,
                  wib(2, 26, 16)),
    SessionRecord("kur-2027", "plk-1", wib(3, 9, 9), wib(3, 11, 15), "Aula Dinas Koperasi dan UKM", "62.71", 40,
                  wib(3, 8, 9)),
]


def problems(path: Path) -> list[tuple[int, str]]:
    """Each problem's line, and what the command line says of it."""
    with pytest.raises(ProgrammeFileError) as raised:
        read_programme_file(path)
    return [(problem.line, str(problem)) for problem in raised.value.problems]


def written(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- reading -----------------------------------------------------------------------------


def test_a_good_csv_gives_its_programmes_once_and_a_session_per_row() -> None:
    # Lists by ';' or ',', kabupaten by name, alias or code, times in WIB or with an offset,
    # the missing deadline a day before the start, and a description over two lines.
    assert read_programme_file(FILES / "good.csv") == ([KEMASAN, KUR], GOOD_SESSIONS)


def test_a_good_yaml_file_says_the_same_as_the_csv() -> None:
    # Unquoted 62.71 stays a code (not the number 62.71), a YAML timestamp without a zone is WIB,
    # a list may be one string.
    assert read_programme_file(FILES / "good.yaml") == ([KEMASAN, KUR], GOOD_SESSIONS)


def test_the_bad_row_is_named_by_its_line_in_the_file_even_after_cells_over_two_lines() -> None:
    assert problems(FILES / "one_bad_row.csv") == [(4, "capacity: '0': a whole number of seats from 1 to 10000, please")]


def test_every_bad_row_of_a_csv_is_reported() -> None:
    found = problems(FILES / "many_bad.csv")
    assert [line for line, _message in found] == [3, 3, 4, 5, 6, 7, 7, 8, 8, 8]
    assert found[0] == (3, "teaches: 'keungan': not one of legalitas, keuangan, pasar, digital, produk, sdm")
    # The owners' parser would have guessed Barito Utara: a file says so instead.
    assert found[1] == (3, "kabupaten: 'Kota Baru': not a kabupaten or kota of Kalimantan Tengah "
                           "(did you mean Barito Utara, 62.05?)")
    assert found[2] == (4, "programme 'nib-2027': not the same name as on line 2, its first row")
    assert found[3] == (5, "ends: must be after starts")
    assert found[4] == (6, "session: session 'plk-1' of programme 'nib-2027' is already on line 2")
    assert found[5] == (7, "session_kabupaten: '3': write the kabupaten's code, like 62.02, or its name")
    assert found[6] == (7, "signup_deadline: must not be after starts")
    assert found[7][1].startswith("starts: '3 Februari 2027': not a time like 2027-02-03 09:00 (WIB)")
    assert found[8] == (8, "session_kabupaten: 'Kotawaringin' could be Kotawaringin Barat (62.01) or "
                           "Kotawaringin Timur (62.02): write the code or the whole name")
    assert found[9] == (8, "capacity: '25.5': a whole number of seats from 1 to 10000, please")


def test_every_bad_programme_and_session_of_a_yaml_file_is_reported_on_its_line() -> None:
    assert problems(FILES / "many_bad.yaml") == [
        (13, "starts: is missing"),
        (14, "unknown key 'start' in a session: the keys are code, starts, ends, place, kabupaten, capacity, "
             "signup_deadline, cancelled"),
        (17, "kabupaten: '62.99': no kabupaten or kota of Kalimantan Tengah has this code"),
        (18, "capacity: 'banyak': a whole number of seats from 1 to 10000, please"),
        (19, "code: programme 'nib-2027' is already on line 1"),
        (22, "teaches: give at least one of legalitas, keuangan, pasar, digital, produk, sdm"),
        (23, "classes: 'besar': not one of mikro, kecil, menengah"),
        (32, "starts: '2027-02-30 09:00:00': not a real date and time"),
        (35, "kabupaten: one value, please, not a list"),
    ]


@pytest.mark.parametrize(("cell", "problem"), [
    ("", "session: is empty"),
    ("x" * 41, "session: is 41 characters long, at most 40 please"),
])
def test_a_session_code_is_there_and_short(tmp_path: Path, cell: str, problem: str) -> None:
    path = written(tmp_path, "codes.csv", f"{HEADER}\n{ROW.replace('plk-1', cell)}\n")
    assert problems(path) == [(2, problem)]


def test_a_name_is_at_most_200_characters(tmp_path: Path) -> None:
    path = written(tmp_path, "long.csv", f"{HEADER}\n{ROW.replace('Gerakan Serbu NIB', 'N' * 201)}\n")
    assert problems(path) == [(2, "name: is 201 characters long, at most 200 please")]


@pytest.mark.parametrize("kabupaten", ["Kapuas Hulu", "Kota Baru", "Kalimantan Tengah", "62", "62.02.01"])
def test_a_kabupaten_must_be_one_of_kalimantan_tengah_exactly(tmp_path: Path, kabupaten: str) -> None:
    path = written(tmp_path, "places.csv", f"{HEADER}\n{ROW.replace(',62.71,', f',{kabupaten},')}\n")
    [(line, message)] = problems(path)
    assert line == 2 and message.startswith(f"session_kabupaten: '{kabupaten}'")


def test_a_deadline_may_not_fall_after_the_start_but_may_be_the_start(tmp_path: Path) -> None:
    path = written(tmp_path, "deadline.csv", f"{HEADER}\n{ROW.removesuffix(',') + ',2027-01-12 09:00'}\n")
    [session] = read_programme_file(path)[1]
    assert session.signup_deadline == session.starts_at


@pytest.mark.parametrize(("cell", "cancelled"), [("", False), ("tidak", False), ("ya", True), ("Yes", True)])
def test_a_cancelled_column_may_cancel_a_session(tmp_path: Path, cell: str, cancelled: bool) -> None:
    path = written(tmp_path, "cancelled.csv", f"{HEADER},cancelled\n{ROW},{cell}\n")
    [session] = read_programme_file(path)[1]
    assert session.cancelled is cancelled


def test_a_cancelled_cell_that_says_neither_yes_nor_no_is_a_problem(tmp_path: Path) -> None:
    path = written(tmp_path, "cancelled.csv", f"{HEADER},cancelled\n{ROW},mungkin\n")
    assert problems(path) == [(2, 'cancelled: write "ya" to cancel the session, or leave it empty')]


def test_excel_files_with_a_byte_order_mark_and_semicolons_are_read(tmp_path: Path) -> None:
    # Excel in an Indonesian locale separates cells by ';', as ',' is its decimal comma.
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + HEADER.replace(",", ";") + "\r\n" + ROW.replace(",", ";") + "\r\n").encode())
    [programme], [session] = read_programme_file(path)
    assert programme.code == "nib-2027" and session.capacity == 40


def test_the_header_must_name_every_column_and_only_known_ones(tmp_path: Path) -> None:
    header = HEADER.replace("sectors", "sector").replace(",capacity", "")
    path = written(tmp_path, "header.csv", f"{header}\n")
    assert problems(path) == [
        (1, "unknown column 'sector': the columns are programme, name, description, organiser, teaches, kabupaten, "
            "classes, sectors, session, starts, ends, place, session_kabupaten, capacity, signup_deadline, cancelled"),
        (1, "missing columns: sectors, capacity"),
    ]


def test_a_row_with_more_cells_than_the_header_is_a_problem_and_blank_rows_are_not(tmp_path: Path) -> None:
    path = written(tmp_path, "cells.csv", f"{HEADER}\n\n,,,\n{ROW},extra\n")
    assert problems(path) == [(4, "16 cells where the header has 15")]


@pytest.mark.parametrize(("name", "text", "problem"), [
    ("empty.csv", "", (0, "the file is empty")),
    ("header_only.csv", HEADER + "\n", (0, "the file holds no programme")),
    ("broken.yaml", "- code: a\n  name: [unclosed\n", (3, "not valid YAML: expected ',' or ']', but got '<stream end>'")),
    ("mapping.yaml", "programs:\n  - code: a\n", (1, "unknown key 'programs' in a file: the keys are programmes")),
    ("scalar.yaml", "serbu nib\n", (1, "the file is a list of programmes, or `programmes:` with that list")),
    ("empty.yaml", "", (0, "the file is a list of programmes, or `programmes:` with that list")),
    ("programmes.txt", "", (0, "a programme file ends in .csv, .yaml or .yml")),
])
def test_files_that_are_not_programme_files_say_why(tmp_path: Path, name: str, text: str,
                                                    problem: tuple[int, str]) -> None:
    assert problems(written(tmp_path, name, text)) == [problem]


def test_a_missing_file_says_it_cannot_be_read(tmp_path: Path) -> None:
    assert problems(tmp_path / "nowhere.yml") == [(0, "cannot be read: No such file or directory")]


def test_yaml_session_codes_are_unique_within_their_programme_only(tmp_path: Path) -> None:
    session = ("      - {code: plk-1, starts: 2027-01-12 09:00, ends: 2027-01-14 15:00, place: Aula, kabupaten: Kotim,"
               " capacity: 30}\n")
    programme = "  - code: {code}\n    name: N\n    organiser: Dinas\n    teaches: [sdm]\n    sessions:\n"
    text = "programmes:\n" + programme.format(code="a") + session * 2 + programme.format(code="b") + session
    assert problems(written(tmp_path, "twice.yml", text)) == [
        (8, "code: session 'plk-1' of programme 'a' is already on line 7")]


def test_a_time_may_have_a_t_between_date_and_time_as_a_forms_date_and_time_input_sends_it(tmp_path: Path) -> None:
    row = ROW.replace("2027-01-12 09:00", "2027-01-12T09:00").replace("2027-01-14 15:00", "2027-01-14T15:00")
    [csv_session] = read_programme_file(written(tmp_path, "t.csv", f"{HEADER}\n{row}\n"))[1]
    [yaml_session] = read_programme_file(written(tmp_path, "t.yaml", """\
- {code: nib-2027, name: N, organiser: Dinas, teaches: [legalitas], sessions: [
   {code: plk-1, starts: 2027-01-12T09:00, ends: 2027-01-14T15:00, place: Aula, kabupaten: "62.71", capacity: 40}]}
"""))[1]
    assert (csv_session.starts_at, csv_session.ends_at) == (yaml_session.starts_at, yaml_session.ends_at) == \
        (wib(1, 12, 9), wib(1, 14, 15))


FAR_AWAY = ["0001-01-01 00:00", "9999-12-31 23:59", "0001-01-01T00:00+07:00", "9999-12-31T23:59-07:00",
            "1899-12-31 23:59", "9999-01-01 09:00"]


@pytest.mark.parametrize("moment", FAR_AWAY)
def test_a_time_far_from_ours_is_a_problem_in_a_file_and_a_form_not_an_overflow(tmp_path: Path, moment: str) -> None:
    far = "give a date between the years 1900 and 9998"
    row = ROW.replace("2027-01-12 09:00", moment)  # the start, with no deadline: a day before it
    assert problems(written(tmp_path, "far.csv", f"{HEADER}\n{row}\n")) == [(2, f"starts: {far}")]
    yaml = f"""- {{code: nib-2027, name: N, organiser: Dinas, teaches: [legalitas], sessions: [
   {{code: plk-1, starts: {moment}, ends: {moment}, place: Aula, kabupaten: "62.71", capacity: 40}}]}}
"""
    assert problems(written(tmp_path, "far.yaml", yaml)) == [(2, f"starts: {far}"), (2, f"ends: {far}")]
    fields = Fields(values={"code": "plk-1", "starts": moment.replace(" ", "T"), "ends": "2027-01-14T15:00",
                            "place": "Aula", "kabupaten": "62.71", "capacity": "40", "signup_deadline": moment})
    assert session_of(fields, "nib-2027") is None
    assert [(problem.field, str(problem)) for problem in fields.problems] == [
        ("starts", f"starts: {far}"), ("signup_deadline", f"signup_deadline: {far}")]


def test_problems_are_catalog_msgids_said_in_english_on_the_command_line_and_translated_where_shown(
        tmp_path: Path) -> None:
    path = written(tmp_path, "bad.csv", f"{HEADER}\n{ROW.replace(',62.71,40,', ',Barito,0,')}\n")
    kabupaten, capacity = read_problems(path)
    assert isinstance(capacity, Invalid)  # what the chat's parsers and the dashboard's forms say too
    assert (kabupaten.line, kabupaten.field, kabupaten.label) == (2, "kabupaten", "session_kabupaten")
    assert (capacity.reason, capacity.params) == ("%(value)s: a whole number of seats from 1 to %(most)s, please",
                                                  {"value": "'0'", "most": 10000})
    assert str(capacity) == "capacity: '0': a whole number of seats from 1 to 10000, please"
    assert capacity.in_(Text("en")) == "'0': a whole number of seats from 1 to 10000, please"  # no field name
    # "Barito" is three kabupaten: the list of them is a message of its own, translated with the one it is in.
    assert kabupaten.reason == "%(value)s could be %(names)s: write the code or the whole name"
    assert isinstance(kabupaten.params["names"], Phrase)
    assert kabupaten.in_(english) == ("'Barito' could be Barito Selatan (62.04) or Barito Utara (62.05) or Barito "
                                      "Timur (62.13): write the code or the whole name")
    assert kabupaten.in_(Bracketed()) == ("['Barito' could be [[Barito Selatan (62.04) or Barito Utara (62.05)] or "
                                          "Barito Timur (62.13)]: write the code or the whole name]")


class Bracketed(Text):
    """A Text that shows what it translated."""

    def __call__(self, message: str, **params: object) -> str:
        return f"[{message % params}]"


def read_problems(path: Path) -> list[Problem]:
    with pytest.raises(ProgrammeFileError) as raised:
        read_programme_file(path)
    return raised.value.problems


# -- applying ----------------------------------------------------------------------------


def _rows(database: Database) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with database.engine.connect() as connection:
        return (list(connection.execute(select(Programme.__table__).order_by(Programme.id))),
                list(connection.execute(select(TrainingSession.__table__).order_by(TrainingSession.id))))


def test_a_file_applied_again_changes_nothing(database: Database) -> None:
    counts = apply_programmes(database, *read_programme_file(FILES / "good.yaml"))
    assert (counts.programmes, counts.sessions, counts.promoted) == (Tally(created=2), Tally(created=3), [])
    before = _rows(database)
    # The CSV says the same in other words (kabupaten by name, lists in another order): still nothing changes.
    for path in (FILES / "good.yaml", FILES / "good.csv"):
        counts = apply_programmes(database, *read_programme_file(path))
        assert (counts.programmes, counts.sessions) == (Tally(unchanged=2), Tally(unchanged=3))
    assert _rows(database) == before


def test_an_edited_session_is_updated_and_the_rest_left_alone(database: Database, tmp_path: Path) -> None:
    apply_programmes(database, *read_programme_file(FILES / "good.yaml"))
    edited = (FILES / "good.yaml").read_text().replace("Gedung Serbaguna Sampit", "Aula Kantor Bupati Kotim") \
        .replace("capacity: 25", "capacity: 35").replace("2027-03-02 09:00:00", "2027-03-02 08:30:00")
    counts = apply_programmes(database, *read_programme_file(written(tmp_path, "edited.yaml", edited)))
    assert (counts.programmes, counts.sessions) == (Tally(unchanged=2), Tally(updated=1, unchanged=2))
    with database.engine.connect() as connection:
        place, capacity, starts = connection.execute(
            select(TrainingSession.place, TrainingSession.capacity, TrainingSession.starts_at)
            .where(TrainingSession.code == "spt-1")).one()
    assert (place, capacity) == ("Aula Kantor Bupati Kotim", 35)
    assert starts.replace(tzinfo=timezone.utc) == datetime(2027, 3, 2, 1, 30, tzinfo=timezone.utc)


def _one_session(tmp_path: Path, capacity: int) -> Path:
    return written(tmp_path, f"seats-{capacity}.yaml", f"""\
- code: pembukuan-2027
  name: Pembukuan Sederhana
  organiser: UPT Balai Pelatihan KUKM Provinsi Kalimantan Tengah
  teaches: [keuangan]
  sessions:
    - code: plk-1
      starts: 2027-02-23 09:00
      ends: 2027-02-25 15:00
      place: Aula Jayang Tingang
      kabupaten: Palangka Raya
      capacity: {capacity}
""")


def test_a_file_that_cancels_a_session_cancels_every_place_and_tells_each_owner_once(database: Database,
                                                                                   tmp_path: Path) -> None:
    seed(database, 2)
    with database.transaction(BEFORE_THE_SESSIONS) as registry:
        save_programmes(registry, *read_programme_file(_one_session(tmp_path, 1)))
        [session_id] = registry.session.execute(select(TrainingSession.id)).scalars()
        assert [registry.training.sign_up(session_id, owner, registry.audience(owner), waitlist=True)
                for owner in (1, 2)] == [SignUp.REGISTERED, SignUp.WAITLISTED]
    cancelling = written(tmp_path, "cancelled.yaml", _one_session(tmp_path, 1).read_text() + "      cancelled: ya\n")
    for told in ([(session_id, [1, 2])], []):  # once: a cancelled session stays as it is
        with database.transaction(BEFORE_THE_SESSIONS) as registry:
            assert save_programmes(registry, *read_programme_file(cancelling)).cancelled == told
    # a file that no longer says so does not hold the session again
    with database.transaction(BEFORE_THE_SESSIONS) as registry:
        save_programmes(registry, *read_programme_file(_one_session(tmp_path, 1)))
        assert registry.training.officer_session(session_id, "62").cancelled_at == BEFORE_THE_SESSIONS
    with database.engine.connect() as connection:
        statuses = dict(connection.execute(select(Enrollment.owner_id, Enrollment.status)).all())
        messages = connection.execute(select(OutboxMessage.kind, OutboxMessage.owner_id)
                                      .order_by(OutboxMessage.owner_id)).all()
    assert statuses == {1: "cancelled", 2: "cancelled"}
    assert [tuple(message) for message in messages] == [("session_cancelled", 1), ("session_cancelled", 2)]


def test_more_seats_go_to_the_waiting_list_in_order_and_the_owner_is_told(database: Database, tmp_path: Path) -> None:
    seed(database, 3)
    apply_programmes(database, *read_programme_file(_one_session(tmp_path, 1)))
    with database.transaction(BEFORE_THE_SESSIONS) as registry:
        [session_id] = [row.id for row in registry.session.execute(select(TrainingSession.id))]
        assert [registry.training.sign_up(session_id, owner, registry.audience(owner), waitlist=True)
                for owner in (1, 2, 3)] == [SignUp.REGISTERED, SignUp.WAITLISTED, SignUp.WAITLISTED]
        chat = registry.open_conversation("telegram", "2002")
        chat.owner_id = 2
        registry.save_conversation(chat)
    counts = apply_programmes(database, *read_programme_file(_one_session(tmp_path, 2)))
    assert counts.sessions == Tally(updated=1) and counts.promoted == [(session_id, 2)]
    with database.engine.connect() as connection:
        statuses = dict(connection.execute(select(Enrollment.owner_id, Enrollment.status)).all())
        told = connection.execute(select(OutboxMessage.kind, OutboxMessage.owner_id, OutboxMessage.address,
                                         OutboxMessage.text)).all()
    assert statuses == {1: "registered", 2: "registered", 3: "waitlisted"}
    [(kind, owner, address, text)] = told
    assert (kind, owner, address) == ("seat", 2, "2002") and "Aula Jayang Tingang" in text


def test_the_sample_programmes_are_about_ten_open_to_the_right_owners(database: Database) -> None:
    programmes, sessions = read_programme_file(SAMPLE)
    assert 8 <= len(programmes) <= 12
    kabupaten_of = {programme.code: programme.kabupaten_codes for programme in programmes}
    for programme in programmes:
        own = [session for session in sessions if session.programme_code == programme.code]
        assert 2 <= len(own) <= 4, programme.code
    for session in sessions:
        assert 25 <= session.capacity <= 40
        assert wib(1, 11, 0) <= session.starts_at and session.ends_at <= wib(6, 30, 23, 59)
        assert timedelta(days=2) <= session.ends_at - session.starts_at <= timedelta(days=3)
        assert session.kabupaten_code in (kabupaten_of[session.programme_code] or (session.kabupaten_code,))
    counts = apply_programmes(database, programmes, sessions)
    assert (counts.programmes, counts.sessions) == (Tally(created=len(programmes)), Tally(created=len(sessions)))
