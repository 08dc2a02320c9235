"""The dashboard's programmes (dashboard/programmes.py): the list, the programme and session forms checked as
import files are, a session's participants and their attendance, the participant list download, and scope.

Every HTTP test runs on SQLite and on PostgreSQL; owners come from `bot.sample.seed` (ids 1..n, each with a
chat, so a freed seat can be told), and sessions are in 2027, ahead of the clock.
"""

import csv
import io
import re
import threading
import time
from datetime import datetime, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import select, text, update

from bot.sample import seed
from dashboard.pages import ENROLLMENT_LABELS
from dashboard.programmes import CSV_HEADER, EVALUATIONS_HEADER
from domain.regions import region
from domain.wib import WIB
from flows.i18n import Text
from flows.programme_file import (
    Fields,
    Problem,
    ProgrammeFileError,
    apply_programmes,
    programme_of,
    read_programme_file,
    session_of,
    session_values,
)
from officer_dashboard import KAPUAS, KOTIM, NOW, browser_dashboard, logged_in
from store.db import Database
from store.models import (
    AuditEvent,
    Business,
    Enrollment,
    Evaluation,
    OutboxMessage,
    Owner,
    Programme,
    TrainingSession,
)
from store.officers import PROVINCE, actor_of
from store.training import ProgrammeRecord, SessionRecord, SignUp, Status

_businesses = Business.__table__
_enrollments = Enrollment.__table__
_sessions = TrainingSession.__table__
_audit = AuditEvent.__table__

KEMASAN = ProgrammeRecord(code="kemasan-2027", name="Pelatihan Kemasan dan Label", description="Kemasan yang menarik.",
                          organiser="UPT Balai Pelatihan KUKM", dimensions=("produk",))
ANYAMAN = ProgrammeRecord(code="anyaman-2027", name="Anyaman Rotan", description="Anyaman rotan dan purun.",
                          organiser="UPT Balai Pelatihan KUKM", dimensions=("produk",), kabupaten_codes=(KAPUAS,))


def wib(month: int, day: int, hour: int) -> datetime:
    return datetime(2027, month, day, hour, tzinfo=WIB)


def session_record(programme: str, code: str, kabupaten: str, place: str, capacity: int = 20,
                   month: int = 3) -> SessionRecord:
    return SessionRecord(programme, code, wib(month, 10, 9), wib(month, 12, 15), place, kabupaten, capacity,
                         wib(month, 9, 9))


def catalogue(database: Database) -> dict[str, int]:
    """Kemasan (open to all) with a session in Kotim and one in Kapuas; Anyaman (Kapuas only) in Kapuas.
    The session ids by code."""
    apply_programmes(database, [KEMASAN, ANYAMAN], [
        session_record("kemasan-2027", "spt-mar", KOTIM, "Gedung Serbaguna Sampit"),
        session_record("kemasan-2027", "kps-apr", KAPUAS, "Aula Bappeda Kapuas", month=4),
        session_record("anyaman-2027", "kps-mei", KAPUAS, "Balai Desa Anjir", month=5),
    ])
    with database.transaction() as registry:
        kemasan = registry.training.programme_id("kemasan-2027")
        anyaman = registry.training.programme_id("anyaman-2027")
        return {"spt-mar": registry.training.session_id(kemasan, "spt-mar"),
                "kps-apr": registry.training.session_id(kemasan, "kps-apr"),
                "kps-mei": registry.training.session_id(anyaman, "kps-mei"),
                "kemasan": kemasan, "anyaman": anyaman}


def owners_in(database: Database, count: int, kabupaten: str) -> None:
    """Owners 1..count, each with one business in this kabupaten."""
    seed(database, count)
    with database.engine.begin() as connection:
        connection.execute(update(_businesses).values(kabupaten_code=kabupaten))


def sign_up(database: Database, session_id: int, *owners: int) -> list[SignUp]:
    with database.transaction(NOW) as registry:
        return [registry.training.sign_up(session_id, owner, registry.audience(owner), waitlist=True)
                for owner in owners]


def statuses(database: Database, session_id: int) -> dict[int, str]:
    with database.engine.connect() as connection:
        return dict(connection.execute(select(_enrollments.c.owner_id, _enrollments.c.status)
                                       .where(_enrollments.c.session_id == session_id)).all())


def audited(database: Database) -> list[tuple[str, str, str]]:
    with database.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(_audit.c.actor, _audit.c.action, _audit.c.subject)
            .where(_audit.c.action.not_in(("dashboard_login", "officer_added"))).order_by(_audit.c.id))]


def officer_id(database: Database, name: str = "Rina Lestari") -> int:
    with database.transaction() as registry:
        return next(officer.id for officer in registry.officers.active() if officer.name == name)


def started(database: Database, session_id: int) -> None:
    """Move a session's start to an hour before the dashboard's now: it is under way."""
    with database.engine.begin() as connection:
        connection.execute(update(_sessions).where(_sessions.c.id == session_id).values(starts_at=NOW - timedelta(hours=1)))


def session_form(**changes: str) -> dict[str, str]:
    return {"code": "", "starts": "2027-03-10T09:00", "ends": "2027-03-12T15:00", "place": "Aula Dinas Koperasi",
            "kabupaten": "62.71", "capacity": "30", "signup_deadline": "", **changes}


PROGRAMME_FORM = {"code": "", "name": "Pembukuan Sederhana", "description": "Mencatat kas harian.",
                  "organiser": "Dinas Koperasi dan UKM", "teaches": ["keuangan", "digital"],
                  "kabupaten": [KOTIM, KAPUAS], "classes": ["mikro"], "sectors": []}


# -- creating and editing ------------------------------------------------------------------


def test_a_programme_and_its_session_are_created_through_the_forms(database: Database) -> None:
    with logged_in(database) as officer:
        assert officer.client.get("/admin/programmes/new").status_code == 200
        created = officer.post("/admin/programmes/new", PROGRAMME_FORM)
        assert created.status_code == 303, created.text
        with database.transaction() as registry:
            programme_id = registry.training.programme_id("pembukuan-sederhana")  # the code made of the name
            assert programme_id is not None
            assert registry.training.programme_record(programme_id, PROVINCE) == ProgrammeRecord(
                "pembukuan-sederhana", "Pembukuan Sederhana", "Mencatat kas harian.", "Dinas Koperasi dan UKM",
                ("keuangan", "digital"), (KOTIM, KAPUAS), ("mikro",), ())
        assert created.headers["location"] == f"/admin/programmes#programme-{programme_id}"

        assert officer.client.get(f"/admin/programmes/{programme_id}/sessions/new").status_code == 200
        added = officer.post(f"/admin/programmes/{programme_id}/sessions/new", session_form(code="plk-mar"))
        assert added.status_code == 303, added.text
        with database.transaction() as registry:
            session_id = registry.training.session_id(programme_id, "plk-mar")
            session = registry.training.officer_session(session_id, PROVINCE)
        assert added.headers["location"] == f"/admin/sessions/{session_id}"
        # Times typed in WIB, the deadline a day before the start when none is typed: as a file says them.
        assert session.record == SessionRecord("pembukuan-sederhana", "plk-mar", wib(3, 10, 9), wib(3, 12, 15),
                                               "Aula Dinas Koperasi", "62.71", 30, wib(3, 9, 9))
        listed = officer.client.get("/admin/programmes").text
        assert f'id="programme-{programme_id}"' in listed and f'id="session-{session_id}"' in listed
    me = actor_of(officer_id(database))
    assert audited(database) == [(me, "programme_created", f"programme:{programme_id}"),
                                 (me, "session_created", f"session:{session_id}")]


def test_an_edited_programme_keeps_its_code_and_a_new_one_may_not_take_a_code_in_use(database: Database) -> None:
    ids = catalogue(database)
    with logged_in(database) as officer:
        page = officer.client.get(f"/admin/programmes/{ids['kemasan']}/edit").text
        assert 'value="Pelatihan Kemasan dan Label"' in page and 'id="teaches-produk" checked' in page
        edited = officer.post(f"/admin/programmes/{ids['kemasan']}/edit",
                              {**PROGRAMME_FORM, "code": "something-else", "name": "Kemasan Baru"})
        assert edited.status_code == 303
        taken = officer.post("/admin/programmes/new", {**PROGRAMME_FORM, "code": "anyaman-2027"})
        assert taken.status_code == 400 and 'id="code-problem"' in taken.text
    with database.transaction() as registry:
        assert registry.training.programme_record(ids["kemasan"], PROVINCE).code == "kemasan-2027"
        assert registry.training.programme_record(ids["kemasan"], PROVINCE).name == "Kemasan Baru"
        assert registry.training.programme_record(ids["anyaman"], PROVINCE) == ANYAMAN


def _problem_ids(page: str) -> set[str]:
    return set(re.findall(r'id="([a-z_]+)-problem"', page))


def _waiting_for_a_lock(database: Database) -> bool:
    with database.engine.connect() as connection:
        return bool(connection.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")))


@pytest.mark.parametrize("what", ["programme", "session"])
def test_a_code_another_officer_takes_while_the_form_is_saved_is_refused_not_taken_as_an_edit(
        database: Database, what: str) -> None:
    ids = catalogue(database)
    theirs = ProgrammeRecord("pembukuan-2027", "Pembukuan (impor)", "", "Dinas", ("keuangan",))
    their_session = session_record("kemasan-2027", "plk-mar", "62.71", "Aula Impor")
    path, form = {"programme": ("/admin/programmes/new", {**PROGRAMME_FORM, "code": "pembukuan-2027"}),
                  "session": (f"/admin/programmes/{ids['kemasan']}/sessions/new", session_form(code="plk-mar"))}[what]
    holding, answers = threading.Event(), []
    release = threading.Event()

    def import_and_hold() -> None:
        """`tabe programs import` adding the same code, its transaction open until released."""
        with database.transaction() as registry:
            registry.training.import_programmes(*(([theirs], []) if what == "programme" else ([], [their_session])))
            holding.set()
            release.wait(timeout=30)

    with logged_in(database) as officer:
        importer = threading.Thread(target=import_and_hold)
        importer.start()
        assert holding.wait(timeout=30)
        saver = threading.Thread(target=lambda: answers.append(officer.post(path, form)))
        saver.start()
        if database.engine.dialect.name == "postgresql":  # let the form's insert meet the import's open one
            deadline = time.monotonic() + 30
            while not _waiting_for_a_lock(database) and time.monotonic() < deadline:
                time.sleep(0.01)
        release.set()  # on SQLite the form waits for the import's whole transaction anyway
        importer.join(timeout=30)
        saver.join(timeout=30)
    [answer] = answers
    assert answer.status_code == 400 and 'id="code-problem"' in answer.text
    with database.transaction() as registry:
        if what == "programme":
            programme_id = registry.training.programme_id("pembukuan-2027")
            assert registry.training.programme_record(programme_id, PROVINCE) == theirs
        else:
            stored = registry.training.officer_session(registry.training.session_id(ids["kemasan"], "plk-mar"),
                                                       PROVINCE)
            assert stored.record == their_session
    assert audited(database) == []


def test_a_nul_typed_into_a_form_is_dropped(database: Database) -> None:
    with logged_in(database) as officer:
        created = officer.post("/admin/programmes/new", {**PROGRAMME_FORM, "name": "Pembukuan\x00 Sederhana",
                                                         "teaches": ["keuangan\x00"]})
        assert created.status_code == 303, created.text
    with database.engine.connect() as connection:
        assert connection.execute(select(Programme.name, Programme.dimensions)).one() == (
            "Pembukuan Sederhana", "keuangan")


def test_a_bad_form_comes_back_with_every_problem_and_everything_typed(database: Database) -> None:
    ids = catalogue(database)
    with logged_in(database) as officer:
        bad_programme = officer.post("/admin/programmes/new", {**PROGRAMME_FORM, "code": "baru", "name": "",
                                                               "teaches": [], "kabupaten": ["62.99"]})
        assert bad_programme.status_code == 400
        assert _problem_ids(bad_programme.text) == {"name", "teaches", "kabupaten"}
        assert 'value="Dinas Koperasi dan UKM"' in bad_programme.text and 'value="baru"' in bad_programme.text
        bad_session = officer.post(f"/admin/programmes/{ids['kemasan']}/sessions/new", session_form(
            code="plk-1", ends="2027-03-09T15:00", capacity="0", kabupaten="62.99", place="Aula <Tuah> Pahoe"))
        assert bad_session.status_code == 400
        assert _problem_ids(bad_session.text) == {"ends", "capacity", "kabupaten"}
        assert 'value="0"' in bad_session.text and 'value="2027-03-09T15:00"' in bad_session.text
        assert 'value="Aula &lt;Tuah&gt; Pahoe"' in bad_session.text and 'value="plk-1"' in bad_session.text
    with database.transaction() as registry:
        assert registry.training.programme_id("baru") is None
        assert registry.training.session_id(ids["kemasan"], "plk-1") is None


# The same mistakes, made in a CSV file's row and in a form: the same problems, with the same msgids.
ROW = {"programme": "nib-2027", "name": "Gerakan Serbu NIB", "description": "Membuat NIB.",
       "organiser": "Dinas Koperasi dan UKM", "teaches": "legalitas", "kabupaten": "", "classes": "", "sectors": "",
       "session": "plk-1", "starts": "2027-01-12 09:00", "ends": "2027-01-14 15:00", "place": "Aula Jayang Tingang",
       "session_kabupaten": "62.71", "capacity": "40", "signup_deadline": ""}
SAME_MISTAKES = [
    # the CSV column, the form field, what is typed in both
    ("capacity", "capacity", "0"),
    ("capacity", "capacity", "25.5"),
    ("session_kabupaten", "kabupaten", "62.99"),
    ("session_kabupaten", "kabupaten", "Kota Baru"),
    ("session_kabupaten", "kabupaten", "Kotawaringin"),
    ("ends", "ends", "2027-01-11 15:00"),
    ("starts", "starts", "3 Februari 2027"),
    ("signup_deadline", "signup_deadline", "2027-01-13 09:00"),
    ("place", "place", ""),
    ("name", "name", ""),
    ("name", "name", "N" * 201),
    ("teaches", "teaches", "keungan"),
    ("kabupaten", "kabupaten", "Kapuas; Barito; 62.99"),
    ("classes", "classes", "besar"),
]


def _form_problems(part: str, values: dict[str, str]) -> list[Problem]:
    fields = Fields(values=values)
    if part == "programme":
        programme_of(fields)
    else:
        session_of(fields, "nib-2027")
    return fields.problems


@pytest.mark.parametrize(("column", "name", "typed"), SAME_MISTAKES)
def test_a_file_and_a_form_get_the_same_problems_from_the_same_checks(tmp_path, column: str, name: str,
                                                                       typed: str) -> None:
    path = tmp_path / "one.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(ROW)
        writer.writerow({**ROW, column: typed}.values())
    with pytest.raises(ProgrammeFileError) as raised:
        read_programme_file(path)
    from_file = [(problem.field, problem.reason, problem.params) for problem in raised.value.problems]
    part = "session" if column in ("capacity", "session_kabupaten", "ends", "starts", "signup_deadline", "place") \
        else "programme"
    form = {"programme": {"code": "nib-2027", "name": ROW["name"], "description": ROW["description"],
                          "organiser": ROW["organiser"], "teaches": ["legalitas"], "kabupaten": [], "classes": [],
                          "sectors": []},
            "session": {"code": "plk-1", "starts": "2027-01-12T09:00", "ends": "2027-01-14T15:00",
                        "place": ROW["place"], "kabupaten": "62.71", "capacity": "40", "signup_deadline": ""}}[part]
    # A form sends times as its date and time inputs do, and ticked boxes as a list.
    form_typed = typed.replace(" ", "T") if name in ("starts", "ends", "signup_deadline") and ":" in typed else typed
    if isinstance(form[name], list):
        form_typed = [item.strip() for item in typed.split(";")]
    from_form = [(problem.field, problem.reason, problem.params)
                 for problem in _form_problems(part, {**form, name: form_typed})]
    assert from_file and from_form == from_file


def test_more_seats_in_the_form_go_to_the_first_waiting_owner_who_is_told(database: Database) -> None:
    owners_in(database, 3, KOTIM)
    ids = catalogue(database)
    session_id = ids["spt-mar"]
    apply_programmes(database, [KEMASAN], [session_record("kemasan-2027", "spt-mar", KOTIM,
                                                          "Gedung Serbaguna Sampit", capacity=1)])
    assert sign_up(database, session_id, 1, 2, 3) == [SignUp.REGISTERED, SignUp.WAITLISTED, SignUp.WAITLISTED]
    with logged_in(database) as officer:
        page = officer.client.get(f"/admin/sessions/{session_id}/edit").text
        assert 'value="2027-03-10T09:00"' in page and 'value="1"' in page
        with database.transaction() as registry:
            values = session_values(registry.training.officer_session(session_id, PROVINCE).record)
        saved = officer.post(f"/admin/sessions/{session_id}/edit", {**values, "capacity": "2"})
        assert (saved.status_code, saved.headers["location"]) == (303, f"/admin/sessions/{session_id}")
    assert statuses(database, session_id) == {1: "registered", 2: "registered", 3: "waitlisted"}
    with database.engine.connect() as connection:
        told = connection.execute(select(OutboxMessage.kind, OutboxMessage.owner_id, OutboxMessage.text)).all()
    [(kind, owner, text)] = told
    assert (kind, owner) == ("seat", 2) and "Gedung Serbaguna Sampit" in text
    assert audited(database)[-1][1:] == ("session_updated", f"session:{session_id}")


# -- participants and attendance -------------------------------------------------------------


def test_the_session_page_lists_participants_and_marks_the_ticked_attended_or_absent_at_once(
        database: Database) -> None:
    owners_in(database, 5, KOTIM)
    ids = catalogue(database)
    session_id = ids["spt-mar"]
    apply_programmes(database, [KEMASAN], [session_record("kemasan-2027", "spt-mar", KOTIM,
                                                          "Gedung Serbaguna Sampit", capacity=3)])
    sign_up(database, session_id, 1, 2, 3, 4, 5)  # 1-3 registered, 4 and 5 waiting
    started(database, session_id)
    attendance = f"/admin/sessions/{session_id}/attendance"
    with logged_in(database, KOTIM, name="Budi Tambun") as officer:
        page = officer.client.get(f"/admin/sessions/{session_id}").text
        assert f'<h2>{Text("id")(ENROLLMENT_LABELS[Status.WAITLISTED])} ' in page
        waiting = page[page.index('id="participants-waitlisted"'):page.index('id="participants-attended"')]
        assert re.findall(r'id="owner-(\d+)"', waiting) == ["4", "5"]
        assert re.findall(r'class="number position">(\d+)<', waiting) == ["1", "2"]
        assert 'id="tick-' not in waiting  # the waiting list is never marked
        assert re.findall(r'id="tick-(\d+)"', page) == ["1", "2", "3"]
        assert 'id="mark-attended"' in page and 'id="mark-absent"' in page

        marked = officer.post(attendance, {"owner": ["1", "2", "4"], "attended": "yes"})  # 4 only waits
        assert (marked.status_code, marked.headers["location"]) == (
            303, f"/admin/sessions/{session_id}#participants-attended")
        assert statuses(database, session_id) == {1: "attended", 2: "attended", 3: "registered", 4: "waitlisted",
                                                  5: "waitlisted"}
        assert officer.post(attendance, {"owner": ["2", "3"], "attended": "no"}).status_code == 303
        assert statuses(database, session_id) == {1: "attended", 2: "absent", 3: "absent", 4: "waitlisted",
                                                  5: "waitlisted"}
        page = officer.client.get(f"/admin/sessions/{session_id}").text
        absent = page[page.index('id="participants-absent"'):page.index('id="participants-cancelled"')]
        assert re.findall(r'id="owner-(\d+)" data-status="absent"', absent) == ["2", "3"]
        assert re.findall(r'id="tick-(\d+)"', page) == ["1", "2", "3"]  # each can still be marked the other way
        assert f'{Text("id")("%(taken)s of %(capacity)s taken, %(waiting)s waiting", taken="3", capacity="3", waiting="2")}' in page

        nothing_ticked = officer.post(attendance, {"attended": "yes"})
        assert nothing_ticked.status_code == 400 and 'id="attendance-problem"' in nothing_ticked.text
        for form in ({"owner": "x", "attended": "yes"}, {"owner": ["1", "9" * 20], "attended": "yes"},
                     {"owner": "1", "attended": "maybe"}, {"owner": "1"}):
            assert officer.post(attendance, form).status_code == 400
    assert statuses(database, session_id)[1] == "attended"
    me = actor_of(officer_id(database, "Budi Tambun"))
    assert audited(database) == [(me, "attendance_marked", f"session:{session_id}:owners:2"),
                                 (me, "absence_marked", f"session:{session_id}:owners:2")]


def test_attendance_before_the_session_starts_is_refused_kindly(database: Database) -> None:
    owners_in(database, 1, KOTIM)
    ids = catalogue(database)
    session_id = ids["spt-mar"]  # in March 2027
    sign_up(database, session_id, 1)
    with logged_in(database, KOTIM, name="Budi Tambun") as officer:
        page = officer.client.get(f"/admin/sessions/{session_id}").text
        assert 'id="attendance-later"' in page and 'id="tick-1"' not in page and 'id="mark-attended"' not in page
        for attended in ("yes", "no"):
            refused = officer.post(f"/admin/sessions/{session_id}/attendance", {"owner": "1", "attended": attended})
            assert refused.status_code == 400 and 'id="attendance-problem"' in refused.text
            assert 'id="owner-1" data-status="registered"' in refused.text  # the session's page, as it was
    assert statuses(database, session_id) == {1: "registered"}
    assert audited(database) == []


def test_a_session_cancelled_in_the_dashboard_tells_its_owners_and_can_be_neither_edited_nor_cancelled_again(
        database: Database) -> None:
    owners_in(database, 3, KOTIM)
    ids = catalogue(database)
    session_id = ids["spt-mar"]
    apply_programmes(database, [KEMASAN], [session_record("kemasan-2027", "spt-mar", KOTIM,
                                                          "Gedung Serbaguna Sampit", capacity=1)])
    sign_up(database, session_id, 1, 2)
    with logged_in(database, KOTIM, name="Budi Tambun") as officer:
        page = officer.client.get(f"/admin/sessions/{session_id}").text
        assert 'id="cancel-session"' in page and "2 pemilik yang memegang atau menunggu tempat" in page
        unticked = officer.post(f"/admin/sessions/{session_id}/cancel", {})
        assert unticked.status_code == 400 and 'id="cancel-problem"' in unticked.text
        assert statuses(database, session_id) == {1: "registered", 2: "waitlisted"}

        done = officer.post(f"/admin/sessions/{session_id}/cancel", {"confirm": "yes"})
        assert (done.status_code, done.headers["location"]) == (303, f"/admin/sessions/{session_id}")
        page = officer.client.get(f"/admin/sessions/{session_id}").text
        assert 'id="cancelled"' in page and 'id="cancel-session"' not in page and 'id="edit-session"' not in page
        again = officer.post(f"/admin/sessions/{session_id}/cancel", {"confirm": "yes"})
        assert again.status_code == 400 and 'id="cancel-problem"' in again.text
        assert officer.client.get(f"/admin/sessions/{session_id}/edit").status_code == 404
        assert officer.post(f"/admin/sessions/{session_id}/edit", session_form(kabupaten=KOTIM)).status_code == 404
    assert statuses(database, session_id) == {1: "cancelled", 2: "cancelled"}
    with database.engine.connect() as connection:
        told = connection.execute(select(OutboxMessage.kind, OutboxMessage.owner_id, OutboxMessage.session_id)
                                  .order_by(OutboxMessage.owner_id)).all()
    assert [tuple(row) for row in told] == [("session_cancelled", 1, session_id), ("session_cancelled", 2, session_id)]
    me = actor_of(officer_id(database, "Budi Tambun"))
    assert audited(database) == [(me, "session_cancelled", f"session:{session_id}")]
    with database.transaction(NOW) as registry:
        assert registry.training.sign_up(session_id, 3, registry.audience(3), waitlist=True) == SignUp.CLOSED
        assert [session.id for session in registry.training.sessions(ids["kemasan"], 3)] == [ids["kps-apr"]]


# -- evaluations -------------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script>'


def evaluations_given(database: Database, ids: dict[str, int]) -> None:
    """Owners 1-3 attended the Sampit session (now started): 1 answered all, 2 only how useful it was, 3 nothing;
    owner 1 attended the Kapuas one and rated it 2 and 3."""
    sign_up(database, ids["spt-mar"], 1, 2, 3)
    for session_id in (ids["spt-mar"], ids["kps-apr"]):
        started(database, session_id)
    with database.transaction() as registry:
        assert registry.training.mark_attendance(ids["spt-mar"], [1, 2, 3], True, PROVINCE, "test").changed == 3
    asked = NOW - timedelta(hours=2)
    answered = NOW - timedelta(hours=1)
    rows = [(ids["spt-mar"], 1, 5, 4, "=SUM(1) Label komposisi", HOSTILE), (ids["spt-mar"], 2, 3, None, None, None),
            (ids["spt-mar"], 3, None, None, None, None)]
    with database.engine.begin() as connection:
        for session_id, owner, usefulness, trainer, will_apply, comment in rows:
            connection.execute(Evaluation.__table__.insert().values(
                session_id=session_id, owner_id=owner, asked_at=asked, usefulness=usefulness, trainer=trainer,
                will_apply=will_apply, comment=comment, answered_at=answered if usefulness else None))
        connection.execute(Evaluation.__table__.insert().values(
            session_id=ids["kps-apr"], owner_id=1, asked_at=asked, usefulness=2, trainer=3, answered_at=answered))


def test_a_sessions_evaluation_shows_its_figures_and_the_owners_words_escaped(database: Database) -> None:
    owners_in(database, 3, KOTIM)
    ids = catalogue(database)
    evaluations_given(database, ids)
    with logged_in(database, KOTIM, name="Budi Tambun") as officer:
        page = officer.client.get(f"/admin/sessions/{ids['spt-mar']}").text
        unasked = officer.client.get(f"/admin/sessions/{ids['kps-mei']}")
    assert unasked.status_code == 404  # Kapuas's: not the Kotim officer's
    figures = {name: re.search(rf'id="evaluation-{name}">([^<]*)<', page)[1]
               for name in ("asked", "answered", "usefulness", "trainer")}
    assert figures == {"asked": "3", "answered": "2 (67%)", "usefulness": "4 (2 menjawab)",
                       "trainer": "4 (1 menjawab)"}
    assert HOSTILE not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert re.findall(r'<td class="will-apply">([^<]*)</td>', page) == ["=SUM(1) Label komposisi"]
    with logged_in(database) as officer:
        nobody = officer.client.get(f"/admin/sessions/{ids['kps-mei']}").text
    assert 'id="no-evaluation"' in nobody and 'id="evaluation-figures"' not in nobody


def test_the_programme_list_shows_each_sessions_evaluations_and_the_programmes_in_all(database: Database) -> None:
    owners_in(database, 3, KOTIM)
    ids = catalogue(database)
    evaluations_given(database, ids)
    with logged_in(database) as officer:
        page = officer.client.get("/admin/programmes").text
    # By code: Anyaman first, then Kemasan.
    anyaman = page[page.index(f'id="programme-{ids["anyaman"]}"'):page.index(f'id="programme-{ids["kemasan"]}"')]
    kemasan = page[page.index(f'id="programme-{ids["kemasan"]}"'):]

    def cells(row_id: str) -> list[str]:
        row = kemasan[kemasan.index(f'id="{row_id}"'):]
        row = row[:row.index("</tr>")]
        return [re.search(rf'class="number {name}">([^<]*)<', row)[1] for name in ("evaluations", "usefulness",
                                                                                     "trainer")]

    assert cells(f"session-{ids['spt-mar']}") == ["2 dari 3 (67%)", "4 (2 menjawab)", "4 (1 menjawab)"]
    assert cells(f"session-{ids['kps-apr']}") == ["1 dari 1 (100%)", "2 (1 menjawab)", "3 (1 menjawab)"]
    # Added up over the answers, not over the sessions' averages: (5 + 3 + 2) / 3 and (4 + 3) / 2.
    assert cells(f"programme-evaluation-{ids['kemasan']}") == ["3 dari 4 (75%)", "3,3 (3 menjawab)",
                                                               "3,5 (2 menjawab)"]
    assert re.findall(r'class="number evaluations">([^<]*)<', anyaman) == ["–"]
    assert f'id="programme-evaluation-{ids["anyaman"]}"' not in anyaman


def test_the_evaluations_export_per_session_and_in_all_and_with_the_participants_and_are_recorded(
        database: Database) -> None:
    owners_in(database, 3, KOTIM)
    ids = catalogue(database)
    evaluations_given(database, ids)
    with logged_in(database, KOTIM, name="Budi Tambun") as officer:
        download = officer.client.get(f"/admin/programmes/{ids['kemasan']}/evaluations.csv")
        participants = officer.client.get(f"/admin/sessions/{ids['spt-mar']}/participants.csv")
        refused = officer.client.get(f"/admin/programmes/{ids['anyaman']}/evaluations.csv")
    assert refused.status_code == 404  # open to Kapuas and held there only
    assert download.headers["content-disposition"] == 'attachment; filename="evaluasi-kemasan-2027.csv"'
    text = Text("id")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    # The Kotim officer's: the Sampit session only, so "all" is Sampit's.
    assert rows == [[text(title) for title in EVALUATIONS_HEADER],
                    ["spt-mar", (NOW - timedelta(hours=1)).astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S"),
                     "Gedung Serbaguna Sampit", region(KOTIM).name, "3", "2", "67", "4.0", "2", "4.0", "1"],
                    [text("All sessions"), "", "", "", "3", "2", "67", "4.0", "2", "4.0", "1"]]
    with database.engine.connect() as connection:
        phones = dict(connection.execute(select(Owner.phone, Owner.id)).all())
    listed = list(csv.reader(io.StringIO(participants.content.decode("utf-8-sig"))))
    assert {phones[row[1]]: row[-4:] for row in listed[1:]} == {1: ["5", "4", "'=SUM(1) Label komposisi", HOSTILE],
                                                                2: ["3", "", "", ""], 3: ["", "", "", ""]}
    with logged_in(database) as officer:  # the province's: every session of the programme, and them added up
        everywhere = list(csv.reader(io.StringIO(officer.client.get(
            f"/admin/programmes/{ids['kemasan']}/evaluations.csv").content.decode("utf-8-sig"))))
        listed_downloads = officer.client.get("/admin/exports").text
    assert [row[0] for row in everywhere[1:]] == ["spt-mar", "kps-apr", text("All sessions")]
    assert everywhere[2][4:] == ["1", "1", "100", "2.0", "1", "3.0", "1"]
    assert everywhere[3][4:] == ["4", "3", "75", "3.3", "3", "3.5", "2"]
    with database.transaction() as registry:
        recorded = [(export.what, export.filter, export.rows) for export in registry.exports.recent(PROVINCE)]
    assert recorded == [("evaluations", {"programme": ids["kemasan"]}, 3),
                        ("participants", {"session": ids["spt-mar"]}, 3),
                        ("evaluations", {"programme": ids["kemasan"]}, 2)]
    assert text("Programme evaluations") in listed_downloads
    assert f'<a href="/admin/programmes#programme-{ids["kemasan"]}" class="programme-link">' in listed_downloads


def test_the_participant_list_downloads_as_csv_and_is_recorded_as_an_export(database: Database) -> None:
    owners_in(database, 3, KOTIM)
    ids = catalogue(database)
    session_id = ids["spt-mar"]
    apply_programmes(database, [KEMASAN], [session_record("kemasan-2027", "spt-mar", KOTIM,
                                                          "Gedung Serbaguna Sampit", capacity=1)])
    sign_up(database, session_id, 1, 2, 3)
    with database.engine.begin() as connection:
        connection.execute(update(_businesses).where(_businesses.c.owner_id == 2).values(name="=HYPERLINK(1)"))
    with logged_in(database, KOTIM) as officer:
        download = officer.client.get(f"/admin/sessions/{session_id}/participants.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"] == 'attachment; filename="peserta-kemasan-2027-spt-mar.csv"'
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    text = Text("id")
    assert rows[0] == [text(title) for title in CSV_HEADER]
    with database.transaction() as registry:
        people = {row.owner_id: row for row in registry.session.execute(
            select(Business.owner_id, Business.name, Business.registration_number))}
        phones = dict(registry.session.execute(select(Owner.id, Owner.phone)).all())
    assert [row[1:] for row in rows[1:]] == [
        [phones[owner], ("'" if owner == 2 else "") + people[owner].name, people[owner].registration_number,
         region(KOTIM).name, text(ENROLLMENT_LABELS[status]), position, "", "", "", ""]
        for owner, status, position in ((1, Status.REGISTERED, ""), (2, Status.WAITLISTED, "1"),
                                        (3, Status.WAITLISTED, "2"))]
    with database.transaction() as registry:
        [export] = registry.exports.recent(PROVINCE)
    assert (export.what, export.format, export.filter, export.rows, export.full_nik, export.reason) == \
        ("participants", "csv", {"session": session_id}, 3, False, None)
    assert export.finished_at is not None


# -- scope -------------------------------------------------------------------------------------

KAPUAS_SESSION = "kps-apr"
REFUSED = [
    # method, path (filled in with the ids), status for a Kotim officer
    ("GET", "/admin/sessions/{kps-apr}", 404),
    ("GET", "/admin/sessions/{kps-apr}/edit", 404),
    ("POST", "/admin/sessions/{kps-apr}/edit", 404),
    ("POST", "/admin/sessions/{kps-apr}/attendance", 404),
    ("POST", "/admin/sessions/{kps-apr}/cancel", 404),
    ("GET", "/admin/sessions/{kps-apr}/participants.csv", 404),
    ("GET", "/admin/programmes/{anyaman}/evaluations.csv", 404),
    ("GET", "/admin/programmes/{anyaman}/sessions/new", 404),  # open to Kapuas only, held there only
    ("POST", "/admin/programmes/{anyaman}/sessions/new", 404),
    ("GET", "/admin/programmes/new", 403),
    ("POST", "/admin/programmes/new", 403),
    ("GET", "/admin/programmes/{kemasan}/edit", 403),
    ("POST", "/admin/programmes/{kemasan}/edit", 403),
]


@pytest.mark.parametrize(("method", "path", "status"), REFUSED)
def test_a_kotim_officer_cannot_reach_kapuas_sessions_or_change_programmes(database: Database, method: str,
                                                                          path: str, status: int) -> None:
    owners_in(database, 1, KAPUAS)
    ids = catalogue(database)
    sign_up(database, ids[KAPUAS_SESSION], 1)
    path = re.sub(r"\{([a-z-]+)\}", lambda found: str(ids[found[1]]), path)
    before = (statuses(database, ids[KAPUAS_SESSION]), audited(database))
    with logged_in(database, KOTIM, name="Budi Tambun") as officer:
        form = {**session_form(), **PROGRAMME_FORM, "owner": "1", "attended": "yes", "capacity": "99",
                "confirm": "yes"}
        answer = officer.client.get(path) if method == "GET" else officer.post(path, form)
        assert answer.status_code == status
        assert "Aula Bappeda Kapuas" not in answer.text
    with database.transaction() as registry:
        assert registry.exports.recent(PROVINCE) == []
        assert registry.training.officer_session(ids[KAPUAS_SESSION], PROVINCE).capacity == 20
    assert (statuses(database, ids[KAPUAS_SESSION]), audited(database)) == before


def test_a_kotim_officer_sees_only_kotim_sessions_and_adds_sessions_only_in_kotim(database: Database) -> None:
    ids = catalogue(database)
    with logged_in(database, KOTIM, name="Budi Tambun") as officer:
        listed = officer.client.get("/admin/programmes").text
        assert f'id="programme-{ids["kemasan"]}"' in listed and f'id="session-{ids["spt-mar"]}"' in listed
        assert f'id="session-{ids["kps-apr"]}"' not in listed and "Aula Bappeda Kapuas" not in listed
        assert f'id="programme-{ids["anyaman"]}"' not in listed and "Balai Desa Anjir" not in listed
        assert 'id="new-programme"' not in listed and "/edit" not in listed
        added = officer.post(f"/admin/programmes/{ids['kemasan']}/sessions/new",
                             session_form(code="spt-jun", kabupaten=KAPUAS))
        assert added.status_code == 303
    with database.transaction() as registry:
        assert registry.training.officer_session(registry.training.session_id(ids["kemasan"], "spt-jun"),
                                                 KOTIM).kabupaten_code == KOTIM


@pytest.mark.parametrize("number", ["4", "99999999999999999999"])  # the second is past any integer column
def test_what_is_not_there_is_not_found(database: Database, number: str) -> None:
    catalogue(database)
    with logged_in(database) as officer:
        for path in ("/admin/sessions/{}", "/admin/sessions/{}/edit", "/admin/sessions/{}/participants.csv",
                     "/admin/programmes/{}/edit", "/admin/programmes/{}/sessions/new",
                     "/admin/programmes/{}/evaluations.csv"):
            assert officer.client.get(path.format(number)).status_code == 404, path
        for path in ("/admin/sessions/{}/edit", "/admin/sessions/{}/attendance", "/admin/programmes/{}/edit",
                     "/admin/programmes/{}/sessions/new"):
            form = {**session_form(), **PROGRAMME_FORM, "owner": "1", "attended": "yes", "kabupaten": "62.71"}
            assert officer.post(path.format(number), form).status_code == 404, path


# -- in Chromium -------------------------------------------------------------------------------


def test_an_officer_adds_a_session_in_chromium_and_sees_it_listed(sqlite_database: Database) -> None:
    ids = catalogue(sqlite_database)
    with browser_dashboard(sqlite_database) as browser:
        driver = browser.driver
        browser.open(f"/admin/programmes/{ids['kemasan']}/sessions/new")
        driver.find_element(By.ID, "code").send_keys("plk-jun")
        for field, value in (("starts", "2027-06-15T09:00"), ("ends", "2027-06-17T15:00")):
            # A date and time input takes keys in the browser's own order of day, month and year: set it whole.
            driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, field), value)
        driver.find_element(By.ID, "place").send_keys("Aula Jayang Tingang")
        Select(driver.find_element(By.ID, "kabupaten")).select_by_value("62.71")
        driver.find_element(By.ID, "capacity").send_keys("35")
        driver.find_element(By.ID, "save").click()
        WebDriverWait(driver, 10).until(expected_conditions.url_matches(r"/admin/sessions/\d+$"))
        session_id = int(driver.current_url.rsplit("/", 1)[1])
        browser.open("/admin/programmes")
        row = WebDriverWait(driver, 10).until(
            expected_conditions.presence_of_element_located((By.ID, f"session-{session_id}")))
        assert "Aula Jayang Tingang" in row.text and "35" in row.text
    with sqlite_database.transaction() as registry:
        stored = registry.training.officer_session(session_id, PROVINCE)
    assert (stored.code, stored.starts_at, stored.signup_deadline) == (
        "plk-jun", wib(6, 15, 9), wib(6, 15, 9) - timedelta(days=1))


def test_an_officer_ticks_several_participants_in_chromium_and_marks_them_at_once(sqlite_database: Database) -> None:
    owners_in(sqlite_database, 4, KOTIM)
    ids = catalogue(sqlite_database)
    session_id = ids["spt-mar"]
    sign_up(sqlite_database, session_id, 1, 2, 3, 4)
    started(sqlite_database, session_id)
    with browser_dashboard(sqlite_database, KOTIM, name="Budi Tambun") as browser:
        driver = browser.driver
        browser.open(f"/admin/sessions/{session_id}")
        browser.wait_for(By.ID, "select-all-registered").click()  # every registered owner ticked at once
        driver.find_element(By.ID, "tick-4").click()  # and one taken off again
        assert {box.get_attribute("value"): box.is_selected()
                for box in driver.find_elements(By.CSS_SELECTOR, 'input[name="owner"]')} == \
            {"1": True, "2": True, "3": True, "4": False}
        driver.find_element(By.ID, "mark-attended").click()
        browser.wait_for(By.ID, "participants-attended")
        WebDriverWait(driver, 10).until(lambda driver: len(driver.find_elements(
            By.CSS_SELECTOR, '#participants-attended tr[data-status="attended"]')) == 3)
        driver.find_element(By.ID, "tick-4").click()
        driver.find_element(By.ID, "mark-absent").click()
        WebDriverWait(driver, 10).until(lambda driver: driver.find_elements(
            By.CSS_SELECTOR, '#participants-absent tr[data-status="absent"]'))
    assert statuses(sqlite_database, session_id) == {1: "attended", 2: "attended", 3: "attended", 4: "absent"}
