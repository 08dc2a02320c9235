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
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait
from starlette.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from browser import chromium, chromium_missing
from server import Server
from store.db import Database
from store.officers import PROVINCE
from transcript import FIXED_START

NOW = FIXED_START
KOTIM = "62.02"
KAPUAS = "62.03"
WAIT_SECONDS = 20  # a page takes milliseconds; this only bounds a hang
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


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


def app_on(database: Database):  # noqa: ANN201 - the Starlette app
    return create_app(Settings(database_url=database.url), database, clock=lambda: NOW)


@contextmanager
def logged_in(database: Database, scope: str = PROVINCE, name: str = "Rina Lestari") -> Iterator[Officer]:
    """A TestClient of the whole app, logged in as a new officer of `scope`."""
    officer_id = add_officer(database, scope, name)
    with TestClient(app_on(database), base_url="http://127.0.0.1") as client:
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
