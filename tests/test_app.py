"""The web server as a whole: its health check, which doors it opens, and one owner across channels."""

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import telegram_updates as tg
from bot.app import create_app, describe
from bot.settings import Settings
from fake_telegram import FakeTelegram
from server import Server, free_port
from store.db import Database
from store.models import Conversation
from telegram_user import TelegramUser, telegram_settings
from transcript import START, Clock, check
from whatsapp_phone import WhatsAppPhone, whatsapp_settings

TRANSCRIPTS = Path(__file__).parent / "transcripts"
CHAT = 777001


def test_healthz_answers_when_the_database_does(database: Database) -> None:
    with Server(create_app(Settings(database_url=database.url), database, clock=Clock(START))) as server:
        response = httpx.get(server.base_url + "/healthz")
    assert (response.status_code, response.json()["status"]) == (200, "ok")


def test_healthz_is_unavailable_on_a_database_nobody_migrated(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with Server(create_app(settings, clock=Clock(START))) as server:
        response = httpx.get(server.base_url + "/healthz")
    assert response.status_code == 503 and "expected" in response.json()["database"]


def test_healthz_is_unavailable_when_the_database_is_unreachable() -> None:
    settings = Settings(database_url=f"postgresql://nobody@127.0.0.1:{free_port()}/tabe?connect_timeout=2")
    with Server(create_app(settings, clock=Clock(START))) as server:
        response = httpx.get(server.base_url + "/healthz", timeout=30)
    assert response.status_code == 503 and "Traceback" not in response.text


def test_the_server_says_which_channels_are_off_and_what_they_need() -> None:
    assert describe(Settings()) == [
        "Telegram: off (set TELEGRAM_BOT_TOKEN to turn it on)",
        "WhatsApp: off (set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_FROM, PUBLIC_BASE_URL to turn it on)",
        "WhatsApp (Cloud API): off (set WHATSAPP_PROVIDER=cloud, WHATSAPP_CLOUD_PHONE_NUMBER_ID, "
        "WHATSAPP_CLOUD_ACCESS_TOKEN, WHATSAPP_CLOUD_APP_SECRET, WHATSAPP_CLOUD_VERIFY_TOKEN to turn it on)",
    ]
    assert describe(Settings(telegram_bot_token="1:x"))[0] == "Telegram: on"
    assert "TELEGRAM_WEBHOOK_SECRET is not set" in describe(Settings(telegram_bot_token="1:x"))[-1]


@pytest.fixture
def both_channels(database: Database, fake_telegram: FakeTelegram) -> Iterator[tuple[WhatsAppPhone, TelegramUser]]:
    settings = replace(whatsapp_settings(database), **{
        name: getattr(telegram_settings(database, fake_telegram), name)
        for name in ("telegram_bot_token", "telegram_webhook_secret", "telegram_api_base_url")})
    with Server(create_app(settings, database, clock=Clock(START))) as server, httpx.Client(base_url=server.base_url) as client:
        yield WhatsAppPhone(client, settings), TelegramUser(client, fake_telegram, CHAT)


def test_an_owner_registered_on_whatsapp_is_recognised_on_telegram_by_their_phone(
        both_channels: tuple[WhatsAppPhone, TelegramUser]) -> None:
    whatsapp, telegram = both_channels
    check(TRANSCRIPTS / "registration_happy_path.txt", whatsapp.say)
    assert "Belum ada data" in telegram.say("data saya")  # a stranger until they share their number
    welcome = telegram.say("[kontak +6281234567890]")
    assert "Selamat datang, Budi Santoso! Saya mengenali Anda dari nomor HP 0812-3456-7890" in welcome
    assert "UMKM-6202-000001" in telegram.say("data saya")


def test_someone_elses_contact_is_no_proof(both_channels: tuple[WhatsAppPhone, TelegramUser]) -> None:
    whatsapp, telegram = both_channels
    check(TRANSCRIPTS / "registration_happy_path.txt", whatsapp.say)
    [answer] = telegram.send(tg.contact(CHAT, "6281234567890", own=False))
    assert "Belum ada pendaftaran dengan nomor 0812-3456-7890" in answer
    assert "Belum ada data" in telegram.say("data saya")


def test_polling_fetches_updates_and_answers_through_the_bot_api(database: Database,
                                                                fake_telegram: FakeTelegram) -> None:
    fake_telegram.queue_update(tg.text(CHAT, "halo"))
    with Server(create_app(telegram_settings(database, fake_telegram), database, polling=True, clock=Clock(START))):
        _wait_for(lambda: fake_telegram.sent(CHAT))
    [answer] = fake_telegram.sent(CHAT)
    assert "Selamat datang di TABE" in answer and "Menu utama" in answer
    assert "deleteWebhook" in [call.method for call in fake_telegram.calls]


def test_an_owner_who_blocked_the_bot_is_marked_when_a_reply_is_refused(database: Database,
                                                                      fake_telegram: FakeTelegram) -> None:
    fake_telegram.block(CHAT)
    fake_telegram.queue_update(tg.text(CHAT, "halo"))
    with Server(create_app(telegram_settings(database, fake_telegram), database, polling=True, clock=Clock(START))):
        _wait_for(lambda: _blocked(database))
    assert fake_telegram.sent(CHAT) == []


def _blocked(database: Database) -> bool:
    with Session(database.engine) as session:
        conversation = session.scalars(select(Conversation)).one_or_none()
        return conversation is not None and conversation.blocked_at is not None


def _wait_for(condition: Callable[[], object], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_the_server_starts_while_telegram_cannot_be_reached_and_asks_for_the_update_later(
        database: Database) -> None:
    settings = Settings(database_url=database.url, telegram_bot_token="123:unreachable", telegram_webhook_secret="s",
                        telegram_api_base_url=f"http://127.0.0.1:{free_port()}")
    with Server(create_app(settings, database, clock=Clock(START))) as server:
        health = httpx.get(server.base_url + "/healthz")
        update = httpx.post(server.base_url + "/telegram/webhook", json=tg.text(CHAT, "halo"),
                            headers={"X-Telegram-Bot-Api-Secret-Token": "s"})
        page = httpx.get(server.base_url + "/")
    assert (health.status_code, update.status_code, page.status_code) == (200, 503, 200)
