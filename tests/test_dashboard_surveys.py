"""The dashboard's surveys (dashboard/surveys.py): choose what it asks and whom, preview, start once, follow it.

The registry: sample owners, odd ids in Kotawaringin Timur and even ids in Kapuas, every third one's business
kuliner; nobody is in Palangka Raya. Expected counts come from the store's own survey_reach.
"""

import lxml.html
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import func, select, update

from bot.sample import seed
from domain.channels import PUSH_CHANNELS
from officer_dashboard import KAPUAS, KOTIM, Officer, browser_dashboard, logged_in
from store.announcements import Segment
from store.db import Database
from store.follow_ups import Kind, Status
from store.models import AuditEvent, Business, FollowUp, OutboxMessage, Survey
from store.officers import PROVINCE

OWNERS = 40
PALANGKA = "62.71"


@pytest.fixture
def owners(database: Database) -> Database:
    seed(database, OWNERS)
    with database.engine.begin() as connection:
        businesses = Business.__table__
        connection.execute(update(businesses).values(kabupaten_code=KOTIM).where(businesses.c.owner_id % 2 == 1))
        connection.execute(update(businesses).values(kabupaten_code=KAPUAS).where(businesses.c.owner_id % 2 == 0))
        connection.execute(update(businesses).values(sector="kuliner").where(businesses.c.owner_id % 3 == 0))
    return database


def _reach(database: Database, segment: Segment) -> tuple[int, int]:
    with database.reading() as registry:
        return registry.follow_ups.survey_reach(segment, PUSH_CHANNELS)


def _page(answer) -> lxml.html.HtmlElement:  # noqa: ANN001 - an httpx response
    return lxml.html.fromstring(answer.text)


def _has(page: lxml.html.HtmlElement, element_id: str) -> bool:
    return bool(page.xpath(f'//*[@id="{element_id}"]'))


def _figure(page: lxml.html.HtmlElement, element_id: str) -> str:
    return page.get_element_by_id(element_id).text_content().strip()


def _start_form(page: lxml.html.HtmlElement) -> dict[str, str]:
    return {name: value for name, value in page.get_element_by_id("start-form").form_values() if name != "csrf"}


def _surveys(database: Database) -> tuple[int, int]:
    """How many surveys, and how many outbox rows of surveys, the registry holds."""
    with database.engine.connect() as connection:
        return (connection.scalar(select(func.count()).select_from(Survey)) or 0,
                connection.scalar(select(func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.survey_id.is_not(None))) or 0)


def _start(officer: Officer, **fields: str) -> tuple[int, dict[str, str]]:
    preview = officer.post("/admin/surveys/new", fields)
    assert preview.status_code == 200, preview.text
    form = _start_form(_page(preview))
    started = officer.post("/admin/surveys", form)
    assert started.status_code == 303
    return int(started.headers["location"].rsplit("/", 1)[1]), form


def test_compose_preview_start_once_and_follow_it(owners: Database) -> None:
    owners_asked, businesses = _reach(owners, Segment(PROVINCE, kabupaten=KOTIM))
    assert 0 < owners_asked < OWNERS
    with logged_in(owners) as officer:
        form = _page(officer.client.get("/admin/surveys/new"))
        assert {"kind-pemutakhiran", "kind-penilaian_ulang", "kabupaten", "sector", "business_class", "level"} <= {
            element.get("id") for element in form.xpath("//select|//input")}
        preview = _page(officer.post("/admin/surveys/new", {"kind": Kind.UPDATE, "kabupaten": KOTIM}))
        assert (_figure(preview, "owners-count"), _figure(preview, "businesses-count")) == (
            str(owners_asked), str(businesses))
        message = _figure(preview, "message")
        assert "memperbarui data (nama usaha)" in message and "1. Ya" in message and '"nanti"' in message
        assert _surveys(owners) == (0, 0)  # a preview starts nothing

        form_sent = _start_form(preview)
        started = officer.post("/admin/surveys", form_sent)
        again = officer.post("/admin/surveys", form_sent)
        assert started.headers["location"] == again.headers["location"]  # pressed twice: started once
        number = int(started.headers["location"].rsplit("/", 1)[1])
        assert _surveys(owners) == (1, owners_asked)

        report = _page(officer.client.get(f"/admin/surveys/{number}"))
        assert _figure(report, "kind").startswith("Pemutakhiran data")
        # Its businesses are asked about as the worker takes its messages: none yet, then all.
        assert (_figure(report, "recipients"), _figure(report, "asked")) == (str(owners_asked), "0")
        assert _figure(report, "response-rate") == "–"
        with owners.transaction() as registry:
            assert len(registry.claim_outbox(OWNERS, PUSH_CHANNELS, registry.now)) == owners_asked
        report = _page(officer.client.get(f"/admin/surveys/{number}"))
        assert (_figure(report, "recipients"), _figure(report, "asked")) == (str(owners_asked), str(businesses))
        assert _figure(report, "response-rate") == "0%"
        assert report.get_element_by_id(f"status-{Status.ASKED}").text_content().strip().endswith(str(businesses))
        listing = _page(officer.client.get("/admin/surveys"))
        row = listing.get_element_by_id(f"survey-{number}")
        assert "Kabupaten Kotawaringin Timur" in row.text_content()

        with owners.engine.begin() as connection:  # half the follow-ups answered whole, one stopped
            ids = list(connection.scalars(select(FollowUp.id).where(FollowUp.survey_id == number)
                                          .order_by(FollowUp.id)))
            connection.execute(update(FollowUp).where(FollowUp.id.in_(ids[:len(ids) // 2])).values(status=Status.DONE))
            connection.execute(update(FollowUp).where(FollowUp.id == ids[-1]).values(status=Status.STOPPED))
        report = _page(officer.client.get(f"/admin/surveys/{number}"))
        assert _figure(report, "response-rate") == f"{round(len(ids) // 2 / len(ids) * 100)}%"
        assert report.get_element_by_id(f"status-{Status.STOPPED}").text_content().strip().endswith("1")
    with owners.engine.connect() as connection:
        assert connection.execute(select(AuditEvent.subject).where(AuditEvent.action == "survey_started")) \
            .scalars().all() == [f"survey:{number}"]
        assert connection.scalar(select(Survey.author)) == "Rina Lestari"


@pytest.mark.parametrize(("fields", "problem"), [
    ({"kabupaten": KOTIM}, "kind-problem"),  # what it asks, not chosen
    ({"kind": "sensus", "kabupaten": KOTIM}, "kind-problem"),
    ({"kind": Kind.UPDATE, "kabupaten": PALANGKA}, "audience-problem"),  # nobody there
    ({"kind": Kind.REASSESSMENT, "sector": "not-a-sector"}, "sector-problem"),
])
def test_bad_input_comes_back_with_the_problem_and_starts_nothing(owners: Database, fields: dict[str, str],
                                                                  problem: str) -> None:
    with logged_in(owners) as officer:
        for path, extra in (("/admin/surveys/new", {}), ("/admin/surveys", {"key": "k" * 32})):
            answer = officer.post(path, {**fields, **extra})
            assert answer.status_code == 400, path
            page = _page(answer)
            assert _has(page, problem) and not _has(page, "start-form")
        unpreviewed = officer.post("/admin/surveys", {"kind": Kind.UPDATE})
        assert unpreviewed.status_code == 400 and _has(_page(unpreviewed), "kind-problem")
    assert _surveys(owners) == (0, 0)


def test_a_kabupaten_officer_surveys_and_sees_in_their_kabupaten_only(owners: Database) -> None:
    with owners.transaction() as registry:
        kapuas, _ = registry.follow_ups.start_survey(Kind.UPDATE, Segment(KAPUAS), PUSH_CHANNELS, "Sari")
    with logged_in(owners, KOTIM, name="Budi Tambun") as officer:
        refused = officer.post("/admin/surveys/new", {"kind": Kind.UPDATE, "kabupaten": KAPUAS})
        assert refused.status_code == 403
        assert officer.client.get(f"/admin/surveys/{kapuas}").status_code == 404
        own, _form = _start(officer, kind=Kind.REASSESSMENT)
        listing = _page(officer.client.get("/admin/surveys"))
        assert [row.get("id") for row in listing.xpath('//tr[@class="survey"]')] == [f"survey-{own}"]
    with owners.engine.connect() as connection:
        assert connection.scalar(select(Survey.scope).where(Survey.id == own)) == KOTIM
    assert _reach(owners, Segment(KOTIM))[0] == _surveys(owners)[1] - _reach(owners, Segment(KAPUAS))[0]


def test_starting_a_survey_in_chromium(sqlite_database: Database) -> None:
    seed(sqlite_database, 30)
    expected, _businesses = _reach(sqlite_database, Segment(PROVINCE, sector="kuliner"))
    with browser_dashboard(sqlite_database) as browser:
        driver, wait = browser.driver, WebDriverWait(browser.driver, 10)
        browser.open("/admin/surveys")
        driver.find_element(By.ID, "new-survey").click()
        wait.until(expected_conditions.presence_of_element_located((By.ID, "kind-pemutakhiran"))).click()
        Select(driver.find_element(By.ID, "sector")).select_by_value("kuliner")
        driver.find_element(By.ID, "preview-button").click()
        count = wait.until(expected_conditions.presence_of_element_located((By.ID, "owners-count")))
        assert count.text == str(expected)
        driver.find_element(By.ID, "start").click()
        recipients = wait.until(expected_conditions.presence_of_element_located((By.ID, "recipients")))
        assert recipients.text == str(expected)
        assert driver.find_element(By.ID, "asked").text == "0"  # until a worker takes its messages
    assert _surveys(sqlite_database) == (1, expected)
