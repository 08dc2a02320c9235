"""Who gets into the dashboard: login links (once, for 10 minutes), sessions, CSRF, logout, and every route
refusing anyone without a session."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from bot.settings import Settings
from dashboard.app import create_dashboard
from officer_dashboard import KOTIM, NOW, add_officer, app_on, browser_dashboard, logged_in, new_link
from store.db import Database
from store.logins import LINK_LIFETIME
from store.models import utcnow

PATH_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def _routes(database: Database, number: str = "1") -> list[tuple[str, str]]:
    """Every (method, path) the dashboard answers, its path parameters filled in, except the login's own."""
    found = []
    dashboard = create_dashboard(database, utcnow, secure_cookie=False,
                                 template_category=Settings().whatsapp_template_category)
    for route in dashboard.routes:
        if isinstance(route, Mount) or not isinstance(route, Route) or route.path.startswith("/login"):
            continue
        path = "/admin" + PATH_PARAMETER.sub(number, route.path)
        found += [(method, path) for method in sorted(route.methods or ()) if method != "HEAD"]
    return found


def test_every_route_refuses_anyone_without_a_session(database: Database) -> None:
    routes = _routes(database)
    assert ("GET", "/admin/") in routes and ("POST", "/admin/logout") in routes
    with TestClient(app_on(database)) as client:
        for method, path in routes:
            answer = client.request(method, path, follow_redirects=False)
            if method == "GET":
                assert (answer.status_code, answer.headers.get("location")) == (303, "/admin/login"), path
            else:
                assert answer.status_code == 403, (method, path)


def test_every_form_refuses_a_missing_or_wrong_csrf_token(database: Database) -> None:
    with logged_in(database) as officer:
        for method, path in _routes(database):
            if method == "POST":
                assert officer.client.post(path, follow_redirects=False).status_code == 403, path
                assert officer.client.post(path, data={"csrf": "forged"}, follow_redirects=False).status_code == 403


def test_a_link_is_only_looked_at_by_a_get_and_used_once_by_the_button(database: Database) -> None:
    officer_id = add_officer(database, name="Sari Nyahu")
    link = new_link(database, officer_id)
    with TestClient(app_on(database)) as client:
        for _preview in range(2):  # chat apps fetch a link to preview it
            page = client.get(link)
            assert page.status_code == 200 and "Sari Nyahu" in page.text
        used = client.post(link, follow_redirects=False)
        assert (used.status_code, used.headers["location"]) == (303, "/admin/")
        cookie = used.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/admin" in cookie
        assert client.get("/admin/").status_code == 200
    with TestClient(app_on(database)) as stranger:
        assert stranger.get(link).status_code == 410
        assert stranger.post(link, follow_redirects=False).status_code == 410
        assert stranger.get("/admin/", follow_redirects=False).status_code == 303


def test_a_link_expires_after_ten_minutes(database: Database) -> None:
    officer_id = add_officer(database)
    expired = new_link(database, officer_id, NOW - LINK_LIFETIME - timedelta(seconds=1))
    almost = new_link(database, officer_id, NOW - LINK_LIFETIME + timedelta(seconds=30))
    with TestClient(app_on(database)) as client:
        assert client.get(expired).status_code == 410
        assert client.post(expired, follow_redirects=False).status_code == 410
        assert client.post(almost, follow_redirects=False).status_code == 303


def test_an_unknown_link_and_a_forged_cookie_open_nothing(database: Database) -> None:
    with TestClient(app_on(database)) as client:
        assert client.post("/admin/login/not-a-token", follow_redirects=False).status_code == 410
        client.cookies.set("tabe_admin", "eyJzZXNzaW9uIjogIngifQ==.forged.signature", path="/admin")
        assert client.get("/admin/", follow_redirects=False).status_code == 303


def test_logging_out_ends_the_session_even_for_a_copied_cookie(database: Database) -> None:
    with logged_in(database) as officer:
        copied = dict(officer.client.cookies)
        assert officer.post("/admin/logout").headers["location"] == "/admin/login"
        assert officer.client.get("/admin/", follow_redirects=False).status_code == 303
        with TestClient(app_on(database)) as thief:
            for name, value in copied.items():
                thief.cookies.set(name, value, path="/admin")
            assert thief.get("/admin/", follow_redirects=False).status_code == 303


def test_removing_an_officer_ends_their_sessions(database: Database) -> None:
    with logged_in(database, KOTIM, name="Budi Tambun") as officer:
        with database.transaction() as registry:
            (budi,) = [found for found in registry.officers.active() if found.name == "Budi Tambun"]
            registry.officers.remove(budi.id, actor="test")
        assert officer.client.get("/admin/", follow_redirects=False).status_code == 303


def test_a_removed_officers_link_opens_nothing(database: Database) -> None:
    officer_id = add_officer(database)
    link = new_link(database, officer_id)
    with database.transaction() as registry:
        registry.officers.remove(officer_id, actor="test")
    with TestClient(app_on(database)) as client:
        assert client.post(link, follow_redirects=False).status_code == 410


def test_an_unknown_page_is_answered_in_the_dashboards_words(database: Database) -> None:
    with TestClient(app_on(database)) as client:
        answer = client.get("/admin/nothing-here", follow_redirects=False)
        assert answer.status_code == 404 and "<html" in answer.text and "Traceback" not in answer.text


def test_logging_in_and_out_in_chromium(sqlite_database: Database) -> None:
    with browser_dashboard(sqlite_database, name="Rina Lestari") as browser:
        assert browser.driver.current_url.endswith("/admin/")
        browser.driver.find_element(By.ID, "logout").click()
        browser.wait_for_path("/admin/login")
        browser.open("/admin/")
        browser.wait_for_path("/admin/login")


def test_pages_are_not_cached_framed_or_open_to_inline_scripts(database: Database) -> None:
    with logged_in(database) as officer:
        headers = officer.client.get("/admin/").headers
    assert headers["cache-control"] == "no-store" and headers["x-frame-options"] == "DENY"
    assert "script-src 'self';" in headers["content-security-policy"]


def test_an_id_too_large_for_any_row_is_not_found_on_every_route(database: Database) -> None:
    with logged_in(database) as officer:
        for method, path in _routes(database, "99999999999999999999"):
            if path.count("99999999999999999999"):
                answer = officer.client.request(method, path, data={"csrf": officer.csrf}, follow_redirects=False)
                assert answer.status_code == 404, (method, path)


def test_a_registry_that_cannot_answer_gives_a_page_not_a_stack_trace(tmp_path: Path) -> None:
    unmigrated = Database(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with TestClient(app_on(unmigrated), raise_server_exceptions=False) as client:
        answer = client.get("/admin/", follow_redirects=False)
    unmigrated.dispose()
    assert answer.status_code == 500 and "<html" in answer.text and "Traceback" not in answer.text


@pytest.mark.parametrize(("headers", "status"), [
    ({}, 303),  # no browser's cross-site form: a command-line client, an old browser
    ({"Sec-Fetch-Site": "same-origin"}, 303),
    ({"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"}, 303),
    ({"Origin": "http://testserver"}, 303),
    ({"Sec-Fetch-Site": "cross-site"}, 403),
    ({"Sec-Fetch-Site": "same-site", "Origin": "http://testserver"}, 403),
    ({"Sec-Fetch-Site": "none"}, 403),
    ({"Origin": "https://penipu.example"}, 403),
    ({"Origin": "http://testserver.penipu.example"}, 403),
    ({"Origin": "null"}, 403),
])
def test_only_the_dashboards_own_page_uses_a_login_link(database: Database, headers: dict[str, str],
                                                        status: int) -> None:
    """Another site's form must not log an officer into the session of the link it carries (login CSRF)."""
    link = new_link(database, add_officer(database))
    with TestClient(app_on(database)) as client:
        answer = client.post(link, headers=headers, follow_redirects=False)
        assert answer.status_code == status
        if status == 403:
            assert "set-cookie" not in answer.headers
            assert client.get("/admin/", follow_redirects=False).status_code == 303
            assert client.post(link, follow_redirects=False).status_code == 303  # the link was not used up
