"""Announcements in the dashboard (dashboard/announcements.py): compose, preview, send once, follow delivery.

The registry holds sample owners with a Telegram or WhatsApp chat each, half of their businesses in
Kotawaringin Timur and half in Kapuas; nobody is in Palangka Raya. Expected counts come from the
store's own reach, so they hold whatever the sample owners are like.
"""

import threading
from datetime import UTC, datetime, timedelta

import lxml.html
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import case, func, insert, select, update

from bot.sample import seed
from dashboard.announcements import RECIPIENTS_SHOWN
from dashboard.registrations import DELIVERY_PROBLEMS
from domain.channels import PUSH_CHANNELS, TEMPLATE_CATEGORIES, WHATSAPP, within_window
from domain.outbox import NO_TEMPLATE
from flows.announce import MAX_ANNOUNCEMENT
from flows.i18n import DEFAULT_LANGUAGE, Text
from flows.notices import announcement_text
from officer_dashboard import KAPUAS, KOTIM, NOW, Officer, browser_dashboard, logged_in
from store.announcements import Segment
from store.db import Database
from store.models import (
    Announcement,
    AuditEvent,
    Business,
    Conversation,
    Enrollment,
    OutboxMessage,
    Owner,
    Programme,
    TrainingSession,
    as_utc,
)
from store.officers import PROVINCE
from store.outbox import Delivery

OWNERS = 130  # more than a page of recipients
PALANGKA = "62.71"
WORDS = "Pelatihan QRIS gratis, Kamis 3 Desember 2026.\n\nDaftar di kantor Dinas."
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def owners(database: Database) -> Database:
    """Sample owners, odd ids in Kotawaringin Timur and even ids in Kapuas, every third one's business kuliner."""
    seed(database, OWNERS)
    with database.engine.begin() as connection:
        businesses = Business.__table__
        connection.execute(update(businesses).values(kabupaten_code=KOTIM).where(businesses.c.owner_id % 2 == 1))
        connection.execute(update(businesses).values(kabupaten_code=KAPUAS).where(businesses.c.owner_id % 2 == 0))
        connection.execute(update(businesses).values(sector="kuliner").where(businesses.c.owner_id % 3 == 0))
    return database


def _reach(database: Database, segment: Segment) -> int:
    with database.reading() as registry:
        return registry.announcements.reach(segment, PUSH_CHANNELS).recipients


def _page(answer) -> lxml.html.HtmlElement:  # noqa: ANN001 - an httpx response
    return lxml.html.fromstring(answer.text)


def _has(page: lxml.html.HtmlElement, element_id: str) -> bool:
    return bool(page.xpath(f'//*[@id="{element_id}"]'))


def _rows(page: lxml.html.HtmlElement, kind: str) -> list[lxml.html.HtmlElement]:
    """The table rows of one kind (their class)."""
    return page.xpath(f'//tr[contains(concat(" ", @class, " "), " {kind} ")]')


def _figure(page: lxml.html.HtmlElement, element_id: str) -> int:
    return int(page.get_element_by_id(element_id).text_content().strip().replace(".", ""))


def _send_form(page: lxml.html.HtmlElement) -> dict[str, str]:
    """What the preview's Send button posts (without the CSRF token, which Officer.post adds)."""
    form = page.get_element_by_id("send-form")
    return {name: value for name, value in form.form_values() if name != "csrf"}


def _counts(database: Database) -> tuple[int, int]:
    """How many announcements, and how many outbox rows of announcements, the registry holds."""
    with database.engine.connect() as connection:
        return (connection.scalar(select(func.count()).select_from(Announcement)) or 0,
                connection.scalar(select(func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.announcement_id.is_not(None))) or 0)


def _compose(officer: Officer, **fields: str) -> tuple[int, dict[str, str]]:
    """Preview an announcement, then press Send: its number, and what Send posted."""
    preview = officer.post("/admin/announcements/new", {"text": WORDS, **fields})
    assert preview.status_code == 200, preview.text
    form = _send_form(_page(preview))
    sent = officer.post("/admin/announcements", form)
    assert sent.status_code == 303
    return int(sent.headers["location"].rsplit("/", 1)[1]), form


def test_compose_preview_send_and_follow_it(owners: Database) -> None:
    expected = _reach(owners, Segment(PROVINCE, sector="kuliner"))
    assert 0 < expected < OWNERS
    with logged_in(owners) as officer:
        form = _page(officer.client.get("/admin/announcements/new"))
        assert form.get_element_by_id("text").get("maxlength") == str(MAX_ANNOUNCEMENT)
        assert {"kabupaten", "sector", "business_class", "level", "send_at"} <= {
            element.get("id") for element in form.xpath("//select|//input")}

        preview = _page(officer.post("/admin/announcements/new", {"text": WORDS, "sector": "kuliner"}))
        assert _figure(preview, "reach-count") == expected
        assert preview.get_element_by_id("message").text_content() == announcement_text(WORDS, "id")
        assert _counts(owners) == (0, 0)  # a preview sends nothing

        sent = officer.post("/admin/announcements", _send_form(preview))
        assert sent.status_code == 303
        number = int(sent.headers["location"].removeprefix("/admin/announcements/"))
        assert _counts(owners) == (1, expected)
        with owners.engine.connect() as connection:
            announcement = connection.execute(select(Announcement)).one()
            audited = connection.execute(select(AuditEvent.action, AuditEvent.subject)
                                         .where(AuditEvent.action == "announcement_queued")).all()
        assert (announcement.author, announcement.text, announcement.scope) == ("Rina Lestari", WORDS, PROVINCE)
        assert announcement.segment == {"scope": PROVINCE, "sector": "kuliner"}
        assert announcement.officer_id is not None and audited == [("announcement_queued", f"announcement:{number}")]

        report = officer.client.get(f"/admin/announcements/{number}")
        page = _page(report)
        assert _figure(page, "recipients") == _figure(page, "waiting") == expected
        assert _figure(page, "sent") == _figure(page, "failed") == 0
        assert 'http-equiv="refresh" content="5"' in report.text
        assert len(_rows(page, "recipient")) == min(expected, RECIPIENTS_SHOWN)

        listing = _page(officer.client.get("/admin/announcements"))
        row = listing.get_element_by_id(f"announcement-{number}")
        assert row.xpath(".//a")[0].get("href") == f"/admin/announcements/{number}"
        assert str(expected) in row.text_content()


def test_conditions_combine_and_one_session_s_participants_can_be_chosen(owners: Database) -> None:
    with owners.engine.begin() as connection:
        programme_id = connection.execute(insert(Programme.__table__).values(
            code="qris", name="Pelatihan QRIS", description="", organiser="Dinas", dimensions="digital",
            kabupaten_codes="", business_classes="", sectors="")).inserted_primary_key[0]
        starts = datetime(2099, 1, 12, 2, 0, tzinfo=UTC)
        session_ids = [connection.execute(insert(TrainingSession.__table__).values(
            programme_id=programme_id, code=code, starts_at=starts, ends_at=starts + timedelta(hours=6), place="Aula",
            kabupaten_code=KOTIM, capacity=30, signup_deadline=starts - timedelta(days=1))).inserted_primary_key[0]
            for code in ("sampit-1", "sampit-2")]
        for owner_id, session_id in ((1, session_ids[0]), (3, session_ids[0]), (5, session_ids[1])):
            connection.execute(insert(Enrollment.__table__).values(session_id=session_id, owner_id=owner_id,
                                                                   status="registered", since=starts))
    both = Segment(PROVINCE, kabupaten=KOTIM, sector="kuliner")
    assert 0 < _reach(owners, both) < _reach(owners, Segment(PROVINCE, sector="kuliner"))
    with logged_in(owners) as officer:
        compose = _page(officer.client.get("/admin/announcements/new"))
        offered = [option.text_content() for option in compose.get_element_by_id("session_id").iter("option")]
        assert len(offered) == 3 and offered[1].startswith("Pelatihan QRIS: Senin, 12 Januari 2099 pukul 09.00 WIB")
        number, form = _compose(officer, kabupaten=KOTIM, sector="kuliner")
        assert (form["kabupaten"], form["sector"]) == (KOTIM, "kuliner")
        session, _form = _compose(officer, session_id=str(session_ids[0]))
    with owners.engine.connect() as connection:
        segments = dict(connection.execute(select(Announcement.id, Announcement.segment)).all())
        assert segments[number] == {"scope": PROVINCE, "kabupaten": KOTIM, "sector": "kuliner"}
        assert segments[session] == {"scope": PROVINCE, "session_id": session_ids[0]}
        assert set(connection.scalars(select(OutboxMessage.owner_id).where(OutboxMessage.announcement_id == session))) \
            == {1, 3}
    assert _counts(owners)[1] == _reach(owners, both) + 2


def test_an_announcement_for_later_waits_and_can_be_cancelled_until_then(owners: Database) -> None:
    with owners.transaction() as registry:
        kapuas = registry.announcements.announce("Kapuas saja", Segment(KAPUAS), PUSH_CHANNELS, "Sari",
                                                 send_at=registry.now + timedelta(days=1))[0]
    with logged_in(owners, KOTIM, name="Budi Tambun") as officer:
        preview = _page(officer.post("/admin/announcements/new", {"text": WORDS, "send_at": "besok 08.00"}))
        assert preview.get_element_by_id("when-words").text_content().startswith("Dikirim pada ")
        assert _send_form(preview)["send_at"].endswith(" 08:00")  # the moment chosen, not the words again
        number, _form = _compose(officer, send_at="besok 08.00")
        path = f"/admin/announcements/{number}"
        answer = officer.client.get(path)
        page = _page(answer)
        assert page.get_element_by_id("schedule").text_content().startswith("Akan dikirim pada ")
        assert _has(page, "cancel-form") and 'http-equiv="refresh"' not in answer.text  # nothing is going out yet
        listing = _page(officer.client.get("/admin/announcements"))
        assert "Akan dikirim pada" in listing.get_element_by_id(f"announcement-{number}").text_content()
        assert officer.post(f"/admin/announcements/{kapuas}/cancel", {}).status_code == 404  # not theirs
        cancelled = officer.post(f"{path}/cancel", {})
        assert (cancelled.status_code, cancelled.headers["location"]) == (303, path)
        page = _page(officer.client.get(path))
        assert page.get_element_by_id("schedule").text_content().startswith("Dibatalkan pada ")
        assert not _has(page, "cancel-form") and _figure(page, "cancelled") == _figure(page, "recipients")
    with owners.engine.connect() as connection:
        assert set(connection.scalars(select(OutboxMessage.status).where(OutboxMessage.announcement_id == number))) \
            == {Delivery.CANCELLED}
        assert set(connection.scalars(select(OutboxMessage.status).where(OutboxMessage.announcement_id == kapuas))) \
            == {Delivery.PENDING}
        assert connection.execute(select(AuditEvent.subject).where(AuditEvent.action == "announcement_cancelled")) \
            .scalars().all() == [f"announcement:{number}"]


def test_pressing_send_twice_announces_once(owners: Database) -> None:
    expected = _reach(owners, Segment(PROVINCE))
    with logged_in(owners) as officer:
        number, form = _compose(officer)
        again = officer.post("/admin/announcements", form)
        assert (again.status_code, again.headers["location"]) == (303, f"/admin/announcements/{number}")
        assert _counts(owners) == (1, expected)
        other, _form = _compose(officer)  # a new preview is a new announcement
        assert other != number and _counts(owners) == (2, 2 * expected)


def test_two_sends_of_one_form_at_once_announce_once(owners: Database) -> None:
    """The second waits for the first's transaction (PostgreSQL's unique index, SQLite's writer lock)."""
    segment = Segment(PROVINCE, kabupaten=KAPUAS)
    answers: list[int] = []

    def press() -> None:
        with owners.transaction() as registry:
            answers.append(registry.announcements.announce(WORDS, segment, PUSH_CHANNELS, "Rina",
                                                           request_key="same-form")[0])

    with owners.transaction() as registry:
        first, reach = registry.announcements.announce(WORDS, segment, PUSH_CHANNELS, "Rina", request_key="same-form")
        second = threading.Thread(target=press)
        second.start()
        second.join(timeout=0.5)
        assert second.is_alive()  # waiting for this transaction
    second.join(timeout=30)
    assert answers == [first] and _counts(owners) == (1, reach.recipients)


@pytest.mark.parametrize(("fields", "problem"), [
    ({"text": ""}, "text-problem"),
    ({"text": " \n  \n "}, "text-problem"),
    ({"text": "x" * (MAX_ANNOUNCEMENT + 1)}, "text-problem"),
    ({"kabupaten": PALANGKA}, "audience-problem"),  # nobody there
    ({"kabupaten": KOTIM, "sector": "kuliner", "business_class": "menengah"}, "audience-problem"),  # nobody is all
    ({"sector": "not-a-sector"}, "sector-problem"),
    ({"send_at": "kemarin sore"}, "send_at-problem"),
    ({"send_at": "2020-01-06 08:00"}, "send_at-problem"),
])
def test_bad_input_comes_back_with_the_problem_and_queues_nothing(owners: Database, fields: dict[str, str],
                                                                  problem: str) -> None:
    posted = {"text": WORDS, **fields}
    with logged_in(owners) as officer:
        for path, extra in (("/admin/announcements/new", {}), ("/admin/announcements", {"key": "k" * 32})):
            answer = officer.post(path, {**posted, **extra})
            assert answer.status_code == 400, path
            page = _page(answer)
            assert page.get_element_by_id(problem) is not None
            assert page.get_element_by_id("text").text_content() == posted["text"].removeprefix("\n")
            assert not _has(page, "send-form")
    assert _counts(owners) == (0, 0)


def test_send_without_a_preview_queues_nothing(owners: Database) -> None:
    with logged_in(owners) as officer:
        answer = officer.post("/admin/announcements", {"text": WORDS})
        assert answer.status_code == 400 and _page(answer).get_element_by_id("text-problem") is not None
    assert _counts(owners) == (0, 0)


@pytest.mark.parametrize(("method", "path", "fields", "status"), [
    ("POST", "/admin/announcements/new", {"kabupaten": KAPUAS}, 403),
    ("POST", "/admin/announcements/new", {"kabupaten": KAPUAS, "sector": "kuliner"}, 403),
    ("POST", "/admin/announcements", {"kabupaten": KAPUAS, "key": "k" * 32}, 403),
    ("POST", "/admin/announcements/new", {"kabupaten": KOTIM}, 400),  # not offered to them
    ("GET", "/admin/announcements/{kapuas}", {}, 404),
    ("GET", "/admin/announcements/{province}", {}, 404),
])
def test_a_kabupaten_officer_announces_and_sees_in_their_kabupaten_only(
        owners: Database, method: str, path: str, fields: dict[str, str], status: int) -> None:
    with owners.transaction() as registry:
        announce = registry.announcements.announce
        kapuas = announce("Kapuas saja", Segment(KAPUAS), PUSH_CHANNELS, "Sari")[0]
        province = announce("Seluruh provinsi", Segment(PROVINCE), PUSH_CHANNELS, "Rina")[0]
    counts = _counts(owners)
    with logged_in(owners, KOTIM, name="Budi Tambun") as officer:
        url = path.format(kapuas=kapuas, province=province)
        answer = officer.post(url, {"text": WORDS, **fields}) if method == "POST" else officer.client.get(url)
        assert answer.status_code == status
        assert _counts(owners) == counts
        own, _form = _compose(officer)
        listing = officer.client.get("/admin/announcements")
        assert {row.get("id") for row in _rows(_page(listing), "announcement")} == {f"announcement-{own}"}
        assert "Kapuas saja" not in listing.text and "Seluruh provinsi" not in listing.text
        compose = _page(officer.client.get("/admin/announcements/new"))
        assert not _has(compose, "kabupaten")
    expected = _reach(owners, Segment(KOTIM))
    with owners.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.announcement_id == own)) == expected
        assert connection.scalar(select(Announcement.scope).where(Announcement.id == own)) == KOTIM


def test_the_report_refreshes_while_rows_wait_and_stops_once_all_went(owners: Database) -> None:
    with owners.engine.begin() as connection:
        connection.execute(update(Owner).where(Owner.id == 1).values(name=SCRIPT))
    with logged_in(owners) as officer:
        number, _form = _compose(officer, kabupaten=KOTIM)
        path = f"/admin/announcements/{number}"
        assert 'http-equiv="refresh"' in officer.client.get(path).text
        with owners.transaction() as registry:
            rows = [(row.id, row.channel, None, "telegram", False) for row in registry.session.execute(
                select(OutboxMessage.id, OutboxMessage.channel).where(OutboxMessage.announcement_id == number))]
            registry.outbox.sent(rows[:-1])
        page = officer.client.get(path)
        assert 'http-equiv="refresh"' in page.text and _figure(_page(page), "waiting") == 1
        with owners.engine.begin() as connection:
            connection.execute(update(OutboxMessage).where(OutboxMessage.id == rows[-1][0])
                               .values(status=Delivery.FAILED, error="bot was blocked by the user"))
        answer = officer.client.get(path)
        page = _page(answer)
        assert 'http-equiv="refresh"' not in answer.text and not _has(page, "refreshing")
        assert (_figure(page, "waiting"), _figure(page, "sent"), _figure(page, "failed")) == (0, len(rows) - 1, 1)
        assert SCRIPT not in answer.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text
        assert "bot was blocked by the user" in answer.text


def test_recipients_come_a_hundred_a_page_and_a_deleted_owner_is_said_so(owners: Database) -> None:
    expected = _reach(owners, Segment(PROVINCE))
    assert expected > RECIPIENTS_SHOWN
    with logged_in(owners) as officer:
        number, _form = _compose(officer)
        with owners.transaction() as registry:
            registry.erase_owner(1, actor="test")
        first = _page(officer.client.get(f"/admin/announcements/{number}"))
        second = _page(officer.client.get(f"/admin/announcements/{number}?page=2"))
        rows = _rows(first, "recipient") + _rows(second, "recipient")
        assert len(_rows(first, "recipient")) == RECIPIENTS_SHOWN and len(rows) == expected
        assert first.get_element_by_id("next-page").get("href") == "?page=2"
        erased = first.xpath('//tr[contains(@class, "recipient")]//*[@class="muted"]')
        assert len(erased) == 1  # the owner who deleted their data
        assert _figure(first, "cancelled") == 1 and _figure(first, "waiting") == expected - 1


def test_composing_an_announcement_in_chromium(sqlite_database: Database) -> None:
    seed(sqlite_database, 30)
    expected = _reach(sqlite_database, Segment(PROVINCE, sector="kuliner"))
    with browser_dashboard(sqlite_database) as browser:
        driver, wait = browser.driver, WebDriverWait(browser.driver, 10)
        browser.open("/admin/announcements")
        driver.find_element(By.ID, "new-announcement").click()
        wait.until(expected_conditions.presence_of_element_located((By.ID, "text"))).send_keys(WORDS)
        Select(driver.find_element(By.ID, "sector")).select_by_value("kuliner")
        driver.find_element(By.ID, "send_at").send_keys("besok 08.00")
        driver.find_element(By.ID, "preview-button").click()
        count = wait.until(expected_conditions.presence_of_element_located((By.ID, "reach-count")))
        assert count.text == str(expected)
        assert driver.find_element(By.ID, "message").text.startswith(announcement_text(WORDS, "id").split("\n")[0])
        assert driver.find_element(By.ID, "when-words").text.startswith("Dikirim pada ")
        driver.find_element(By.ID, "send").click()
        waiting = wait.until(expected_conditions.presence_of_element_located((By.ID, "waiting")))
        assert waiting.text == str(expected)
        assert driver.current_url.rsplit("/", 1)[1].isdigit()
        assert driver.find_element(By.ID, "schedule").text.startswith("Akan dikirim pada ")
        driver.find_element(By.ID, "cancel").click()
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "schedule"), "Dibatalkan pada "))
    assert _counts(sqlite_database) == (1, expected)


@pytest.mark.parametrize("page", ["²", "٣x", "0", "-1", "dua", "9" * 5000, ""])
def test_a_page_number_that_is_no_number_shows_the_first_page(owners: Database, page: str) -> None:
    with logged_in(owners) as officer:
        number, _form = _compose(officer)
        listing = officer.client.get("/admin/announcements", params={"page": page})
        assert listing.status_code == 200 and _has(_page(listing), f"announcement-{number}")
        report = officer.client.get(f"/admin/announcements/{number}", params={"page": page})
        assert report.status_code == 200
        assert len(_rows(_page(report), "recipient")) == RECIPIENTS_SHOWN


def test_a_kabupaten_officer_cannot_announce_to_a_programme_not_open_to_their_kabupaten(owners: Database) -> None:
    """The programmes offered are those open to the officer's kabupaten; posting another's id queues nothing,
    even when some of its participants live in the officer's kabupaten."""
    with owners.engine.begin() as connection:
        programmes = Programme.__table__
        ids = {}
        for code, kabupaten_codes in (("terbuka", ""), ("kapuas-saja", KAPUAS)):
            ids[code] = connection.execute(insert(programmes).values(
                code=code, name=f"Pelatihan {code}", description="", organiser="Dinas", dimensions="digital",
                kabupaten_codes=kabupaten_codes, business_classes="", sectors="")).inserted_primary_key[0]
        starts = datetime(2027, 1, 12, 2, 0, tzinfo=UTC)
        session_id = connection.execute(insert(TrainingSession.__table__).values(
            programme_id=ids["kapuas-saja"], code="kuala-kapuas-1", starts_at=starts,
            ends_at=starts + timedelta(hours=6), place="Aula", kabupaten_code=KAPUAS, capacity=30,
            signup_deadline=starts - timedelta(days=1))).inserted_primary_key[0]
        for owner_id in (1, 3, 5):  # in Kotawaringin Timur
            connection.execute(insert(Enrollment.__table__).values(session_id=session_id, owner_id=owner_id,
                                                                   status="registered", since=starts))
    outside = str(ids["kapuas-saja"])
    assert _reach(owners, Segment(KOTIM, programme_id=ids["kapuas-saja"])) > 0
    with logged_in(owners, KOTIM, name="Budi Tambun") as officer:
        compose = _page(officer.client.get("/admin/announcements/new"))
        offered = {option.get("value") for option in compose.get_element_by_id("programme_id").iter("option")}
        assert str(ids["terbuka"]) in offered and outside not in offered
        posted = {"text": WORDS, "programme_id": outside}
        for path, extra in (("/admin/announcements/new", {}), ("/admin/announcements", {"key": "k" * 32})):
            answer = officer.post(path, {**posted, **extra})
            assert answer.status_code == 400, path
            assert _has(_page(answer), "programme_id-problem") and not _has(_page(answer), "send-form")
    assert _counts(owners) == (0, 0)


def test_why_a_message_did_not_go_is_said_in_the_catalogs_words_or_labelled_as_the_providers(
        owners: Database) -> None:
    words = Text(DEFAULT_LANGUAGE)
    provider = "Twilio 400 error 21211"
    with logged_in(owners) as officer:
        number, _form = _compose(officer, kabupaten=KOTIM)
        with owners.engine.begin() as connection:
            rows = connection.scalars(select(OutboxMessage.id).where(OutboxMessage.announcement_id == number)
                                      .order_by(OutboxMessage.id)).all()
            for row_id, status, error in zip(rows, (Delivery.CANCELLED, Delivery.FAILED, Delivery.FAILED),
                                             ("stopped", NO_TEMPLATE, provider), strict=False):
                connection.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                                   .values(status=status, error=error))
        answer = officer.client.get(f"/admin/announcements/{number}")
    said = [cell.text_content() for cell in _page(answer).find_class("delivery-problem") if cell.text_content()]
    assert sorted(said) == sorted([words(DELIVERY_PROBLEMS["stopped"]), words(DELIVERY_PROBLEMS[NO_TEMPLATE]),
                                   words("Provider's reason: %(reason)s", reason=provider)])
    assert NO_TEMPLATE not in answer.text and provider in answer.text


def test_the_preview_and_the_report_count_owners_never_asked_apart_from_those_who_said_no(owners: Database) -> None:
    with owners.engine.begin() as connection:  # Kotim's owners are the odd ids: 65 of them
        connection.execute(update(Owner).where(Owner.id.in_((1, 3, 5))).values(announcements_accepted_at=None))
    with owners.transaction() as registry:
        registry.announcements.stop(7, "test")
    left_out = ["1 yang menolak pengumuman atau mengetik \"berhenti\"",
                "3 yang belum ditanya atau belum menjawab apakah mau menerima pengumuman"]
    with logged_in(owners, KOTIM, name="Budi Tambun") as officer:
        preview = _page(officer.post("/admin/announcements/new", {"text": WORDS}))
        assert (_figure(preview, "reach-count"), _figure(preview, "left-out-count")) == (61, 4)
        assert [item.text_content() for item in preview.get_element_by_id("left-out")] == left_out
        assert preview.get_element_by_id("message").text_content() == announcement_text(WORDS, "id", KOTIM)
        assert preview.get_element_by_id("message").text_content().startswith(
            "Pengumuman dari Dinas Koperasi dan UKM Kabupaten Kotawaringin Timur:\n\n")
        number = int(officer.post("/admin/announcements", _send_form(preview)).headers["location"].rsplit("/", 1)[1])
        report = _page(officer.client.get(f"/admin/announcements/{number}"))
        assert _figure(report, "recipients") == 61
        assert [item.text_content() for item in report.get_element_by_id("left-out")] == left_out
    with owners.engine.connect() as connection:
        kept = connection.execute(select(Announcement.recipients, Announcement.stopped, Announcement.not_asked)).one()
    assert tuple(kept) == (61, 1, 3)


def _whatsapp_recipients_heard(database: Database) -> list[datetime]:
    """When each owner an announcement to the province reaches on WhatsApp last wrote (the sample owners have one
    chat each)."""
    with database.engine.connect() as connection:
        return [as_utc(heard) for heard in connection.scalars(
            select(Conversation.updated_at).join(Owner, Owner.id == Conversation.owner_id).where(
                Conversation.channel == WHATSAPP, Conversation.blocked_at.is_(None),
                Owner.announcements_accepted_at.is_not(None), Owner.announcements_stopped_at.is_(None)))]


def _template_card(page: lxml.html.HtmlElement) -> str:
    """The preview's card of the recipients needing WhatsApp's template, its words after its figure."""
    return page.get_element_by_id("template-count").getparent().text_content().removeprefix(
        page.get_element_by_id("template-count").text_content())


@pytest.mark.parametrize("category", ["marketing", "utility"])
def test_the_preview_counts_who_needs_whatsapp_s_template_when_it_goes_and_names_its_category(
        owners: Database, category: str) -> None:
    words = Text(DEFAULT_LANGUAGE)
    with owners.engine.begin() as connection:  # every fourth owner wrote an hour ago, the others three days ago
        connection.execute(update(Conversation).values(updated_at=case(
            (Conversation.owner_id % 4 == 0, NOW - timedelta(hours=1)), else_=NOW - timedelta(days=3))))
    heard = _whatsapp_recipients_heard(owners)
    later = datetime(2026, 11, 28, 1, 30, tzinfo=UTC)  # 08.30 WIB: 24 hours after an hour ago, and 30 minutes
    outside_now = sum(not within_window(moment, NOW) for moment in heard)
    assert 0 < outside_now < len(heard) and sum(not within_window(moment, later) for moment in heard) == len(heard)
    card = words("receive it as WhatsApp's template (%(category)s)", category=words(TEMPLATE_CATEGORIES[category]))
    with logged_in(owners, whatsapp_template_category=category) as officer:
        now = _page(officer.post("/admin/announcements/new", {"text": WORDS}))
        at_eight = _page(officer.post("/admin/announcements/new", {"text": WORDS, "send_at": "besok 08.30"}))
    assert (_figure(now, "template-count"), _template_card(now)) == (outside_now, card)
    assert (_figure(at_eight, "template-count"), _template_card(at_eight)) == (len(heard), card)
    assert now.get_element_by_id("template-words").text_content() == words(
        "Owners on WhatsApp who have not written in the 24 hours before it goes can only be sent the approved "
        "template, which Meta charges for by its category.")


def test_nobody_needing_the_template_is_said_as_zero_without_the_explanation(owners: Database) -> None:
    with owners.engine.begin() as connection:
        connection.execute(update(Conversation).values(updated_at=NOW - timedelta(minutes=5)))
    with logged_in(owners) as officer:
        preview = _page(officer.post("/admin/announcements/new", {"text": WORDS}))
    assert _figure(preview, "template-count") == 0 and not _has(preview, "template-words")


def test_the_report_shows_per_provider_the_messages_sent_as_free_text_and_as_templates(owners: Database) -> None:
    with logged_in(owners) as officer:
        number, _form = _compose(officer)  # to the province: Kotim's owners (the odd ids) are all on Telegram
        path = f"/admin/announcements/{number}"
        assert not _has(_page(officer.client.get(path)), "carried")  # nothing sent yet
        with owners.transaction() as registry:
            rows = registry.session.execute(select(OutboxMessage.id, OutboxMessage.channel)
                                            .where(OutboxMessage.announcement_id == number)
                                            .order_by(OutboxMessage.id)).all()
            whatsapp = [row_id for row_id, channel in rows if channel == WHATSAPP]
            telegram = [row_id for row_id, channel in rows if channel != WHATSAPP]
            registry.outbox.sent([(row_id, "telegram", f"tg-{row_id}", "telegram", False) for row_id in telegram[:-1]]
                                 + [(whatsapp[0], WHATSAPP, "SM1", "twilio", False)]
                                 + [(row_id, WHATSAPP, f"SM{row_id}", "twilio", True) for row_id in whatsapp[1:3]]
                                 + [(row_id, WHATSAPP, f"wamid.{row_id}", "cloud", True) for row_id in whatsapp[3:]])
        page = _page(officer.client.get(path))
    table = [[cell.text_content() for cell in row.xpath("td")] for row in _rows(page, "provider")]
    assert table == [["WhatsApp Cloud API", "0", str(len(whatsapp) - 3)],
                     ["Telegram", str(len(telegram) - 1), "0"],
                     ["Twilio", "1", "2"]]
    assert len(whatsapp) > 3 and len(telegram) > 1
