"""An officer's way in from the chat ("masuk") and from the command line (`tabe officers login-link`): links that
work once in the dashboard; from anyone else "masuk" is ordinary text."""

import re

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from bot.cli import main
from flows.conversation import Conversations
from officer_dashboard import KOTIM, add_officer, app_on
from store.db import Database
from store.models import LoginLink, utcnow
from transcript import Chat, Clock

PUBLIC_BASE_URL = "https://tabe.example.id"
DASHBOARD_URL = PUBLIC_BASE_URL + "/admin"
LINK = re.compile(re.escape(PUBLIC_BASE_URL) + r"(/admin/login/[\w-]+)")


def _chat(database: Database, address: str) -> Chat:
    return Chat(Conversations(database, Clock(utcnow()), dashboard_url=DASHBOARD_URL), address, channel="telegram")


def test_an_officer_writing_masuk_gets_a_link_that_logs_them_in_once(database: Database) -> None:
    add_officer(database, KOTIM, name="Budi Tambun", telegram_id="4242")
    answer = _chat(database, "4242").say("masuk")
    found = LINK.search(answer)
    assert found, answer
    with TestClient(app_on(database)) as client:
        assert client.post(found[1], follow_redirects=False).status_code == 303
        assert "Budi Tambun" in client.get("/admin/").text
        assert client.post(found[1], follow_redirects=False).status_code == 410


def test_each_masuk_gives_a_new_link(database: Database) -> None:
    add_officer(database, telegram_id="4242")
    chat = _chat(database, "4242")
    first, second = (LINK.search(chat.say(word)) for word in ("masuk", "/login"))
    assert first and second and first[1] != second[1]


@pytest.mark.parametrize("writer", ["5151", "removed"])
def test_masuk_from_anyone_else_is_ordinary_text(database: Database, writer: str) -> None:
    officer_id = add_officer(database, telegram_id="removed")
    with database.transaction() as registry:
        registry.officers.remove(officer_id, actor="test")
    answer = _chat(database, writer).say("masuk")
    assert "/login/" not in answer
    with database.transaction() as registry:
        assert registry.session.scalar(select(func.count()).select_from(LoginLink)) == 0


def test_the_command_line_prints_a_link_for_an_officer_by_name_or_id(
        database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    officer_id = add_officer(database, name="Rina Lestari")
    add_officer(database, name="Sari Nyahu")
    add_officer(database, name="Sari Nyahu", telegram_id="other")
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC_BASE_URL)
    for named in ("rina lestari", str(officer_id)):
        assert main(["officers", "login-link", named]) == 0
        printed = capsys.readouterr().out
        found = LINK.search(printed)
        assert found and "works once, within 10 minutes" in printed
        with TestClient(app_on(database)) as client:
            assert client.post(found[1], follow_redirects=False).status_code == 303
    assert main(["officers", "login-link", "Sari Nyahu"]) == 1
    assert "several active officers" in capsys.readouterr().err
    assert main(["officers", "login-link", "Nobody"]) == 1
