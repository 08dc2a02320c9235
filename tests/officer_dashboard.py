"""The officers' dashboard as the tests use it: officers of a scope, logged in over HTTP or in Chromium.

The dashboard reads NOW as now, whatever the day the tests run: its programmes' sessions (in 2027) stay
ahead of it, and what the tests write themselves they write at NOW too.

`logged_in` gives a TestClient holding a real session (the link used as a browser would use it) and
the session's CSRF token; `browser_dashboard` serves the whole app and logs a Chromium in.
"""

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import insert, select, update
from starlette.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from browser import chromium, chromium_missing
from domain.regions import kecamatan_of
from server import Server
from store.db import Database
from store.models import Business, Enrollment, Owner, Programme, TrainingSession
from store.officers import PROVINCE
from store.registry import registration_number
from transcript import FIXED_START

NOW = FIXED_START
KOTIM = "62.02"
KAPUAS = "62.03"
WAIT_SECONDS = 20  # a page takes milliseconds; this only bounds a hang
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def add_business(database: Database, *, owner: str, name: str, kabupaten: str = KAPUAS, sector: str = "kuliner",
                 registered_at: datetime = datetime(2026, 5, 4, 3, 0, tzinfo=UTC), nib: str | None = None,
                 business_class: str = "mikro", nik: str | None = None, address: str = "Jl. Tjilik Riwut No. 1",
                 sector_note: str | None = None) -> int:
    """One owner with one business, outside the sample generator: names and moments a test needs exactly."""
    with database.engine.begin() as connection:
        taken = connection.scalar(select(Owner.__table__.c.id).order_by(Owner.__table__.c.id.desc()).limit(1)) or 0
        owner_id = connection.execute(insert(Owner.__table__).values(
            name=owner, nik=nik or f"62039{taken + 1:011d}", phone=f"+62811{taken + 1:08d}", phone_verified=True,
            registered_at=registered_at)).inserted_primary_key[0]
        business_id = connection.execute(insert(Business.__table__).values(
            owner_id=owner_id, name=name, sector=sector, sector_note=sector_note, kbli_category="I",
            kabupaten_code=kabupaten, kecamatan_code=kecamatan_of(kabupaten)[0].code, address=address, nib=nib,
            year_started=2019, workers=3, modal_usaha=25_000_000, monthly_turnover=4_500_000,
            annual_turnover=54_000_000, business_class=business_class,
            registered_at=registered_at)).inserted_primary_key[0]
        connection.execute(update(Business.__table__).where(Business.__table__.c.id == business_id).values(
            registration_number=registration_number(kabupaten, business_id)))
    return business_id


def add_training_place(database: Database, owner_id: int, kabupaten: str) -> int:
    """The owner waitlisted for session "sampit-1" of "Sertifikasi Halal Gratis", at the Aula Dinas Koperasi: the
    session's id."""
    with database.engine.begin() as connection:
        programme_id = connection.execute(insert(Programme.__table__).values(
            code="halal-2027", name="Sertifikasi Halal Gratis", description="", organiser="Dinas",
            dimensions="legalitas", kabupaten_codes="", business_classes="", sectors="")).inserted_primary_key[0]
        starts = datetime(2027, 1, 12, 2, 0, tzinfo=UTC)
        session_id = connection.execute(insert(TrainingSession.__table__).values(
            programme_id=programme_id, code="sampit-1", starts_at=starts, ends_at=starts + timedelta(hours=6),
            place="Aula Dinas Koperasi", kabupaten_code=kabupaten, capacity=30,
            signup_deadline=starts - timedelta(days=1))).inserted_primary_key[0]
        connection.execute(insert(Enrollment.__table__).values(session_id=session_id, owner_id=owner_id,
                                                               status="waitlisted", since=starts - timedelta(days=9)))
    return int(session_id)


def add_officer(database: Database, scope: str = PROVINCE, name: str = "Rina Lestari",
                phone: str | None = None, telegram_id: str | None = None) -> int:
    with database.transaction() as registry:
        return registry.officers.add(name, phone, telegram_id or f"tg-{name}", scope, actor="test")


def new_link(database: Database, officer_id: int, now: datetime = NOW) -> str:
    """A one-time link path for an officer, made at `now`."""
    with database.transaction(now) as registry:
        return f"/admin/login/{registry.logins.new_link(officer_id)}"


@dataclass
class Officer:
    """A logged-in officer's client, and the token their forms carry."""

    client: TestClient
    csrf: str

    def post(self, path: str, data: dict[str, object] | None = None, **kwargs: object):  # noqa: ANN201
        """POST a form as the dashboard's own pages do, with the session's CSRF token."""
        return self.client.post(path, data={"csrf": self.csrf, **(data or {})}, follow_redirects=False, **kwargs)


def app_on(database: Database, **settings: str):  # noqa: ANN201 - the Starlette app
    """The whole app on this registry at NOW, with these settings (Settings' field names) besides the database."""
    return create_app(Settings(database_url=database.url, **settings), database, clock=lambda: NOW)


@contextmanager
def logged_in(database: Database, scope: str = PROVINCE, name: str = "Rina Lestari",
              **settings: str) -> Iterator[Officer]:
    """A TestClient of the whole app (with these settings), logged in as a new officer of `scope`."""
    officer_id = add_officer(database, scope, name)
    with TestClient(app_on(database, **settings), base_url="http://127.0.0.1") as client:
        link = new_link(database, officer_id)
        assert client.post(link, follow_redirects=False).status_code == 303
        page = client.get("/admin/")
        found = CSRF.search(page.text)
        assert found, page.text
        yield Officer(client, found[1])


def browser_needed() -> None:
    """Skip where Chromium is missing, unless the run demands it."""
    missing = chromium_missing()
    if missing and os.environ.get("TABE_REQUIRE_BROWSER"):
        pytest.fail(f"TABE_REQUIRE_BROWSER is set, but {missing}", pytrace=False)
    if missing:
        pytest.skip(missing)


@dataclass
class Browser:
    driver: WebDriver
    base_url: str

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "main").text

    def wait_for(self, by: str, value: str) -> WebElement:
        """The element once the page shows it (a click's page may still be loading)."""
        return WebDriverWait(self.driver, WAIT_SECONDS).until(lambda driver: driver.find_element(by, value))

    def wait_for_path(self, path: str) -> None:
        """Wait until the browser is at `path` (after a click that navigates)."""
        WebDriverWait(self.driver, WAIT_SECONDS).until(lambda driver: urlsplit(driver.current_url).path == path)


@contextmanager
def browser_dashboard(database: Database, scope: str = PROVINCE, name: str = "Rina Lestari") -> Iterator[Browser]:
    """The whole app served on loopback, and a Chromium logged in to it through a login link."""
    browser_needed()
    officer_id = add_officer(database, scope, name)
    with Server(app_on(database)) as server, chromium() as driver:
        browser = Browser(driver, server.base_url)
        browser.open(new_link(database, officer_id))
        driver.find_element(By.ID, "login").click()
        assert browser.wait_for(By.ID, "officer").text.startswith(name)
        yield browser
