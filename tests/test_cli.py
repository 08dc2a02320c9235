"""The `tabe` commands an operator runs: serve, worker and telegram set-webhook, as real processes."""

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx

from fake_telegram import FakeTelegram
from server import TABE, serving
from store.db import Database


def _environment(database: Database, **settings: str) -> dict[str, str]:
    keep = {name: value for name, value in os.environ.items() if not name.startswith(("TELEGRAM_", "TWILIO_"))}
    return {**keep, "DATABASE_URL": database.url, **settings}


def test_serve_says_which_channels_are_off_serves_the_chat_page_and_stops_cleanly(sqlite_database: Database,
                                                                                  tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with serving(_environment(sqlite_database), log) as url:
        page = httpx.get(url + "/")
    assert page.status_code == 200 and "TABE" in page.text
    written = log.read_text()
    assert "Chat with the bot in a browser: http://127.0.0.1:" in written
    assert "Telegram: off (set TELEGRAM_BOT_TOKEN to turn it on)" in written
    assert "WhatsApp: off" in written


def test_the_worker_starts_and_stops_cleanly(sqlite_database: Database) -> None:
    worker = subprocess.Popen([str(TABE), "worker"], env=_environment(sqlite_database), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    assert worker.stdout is not None
    started = worker.stdout.readline()
    time.sleep(0.2)
    worker.send_signal(signal.SIGTERM)
    rest = worker.communicate(timeout=20)[0]
    assert worker.returncode == 0
    assert "worker started" in started and "worker stopped" in rest


def test_set_webhook_registers_the_public_address_the_secret_and_the_update_types(sqlite_database: Database,
                                                                                    fake_telegram: FakeTelegram) -> None:
    environment = _environment(sqlite_database, TELEGRAM_BOT_TOKEN=fake_telegram.token,
                               TELEGRAM_WEBHOOK_SECRET="s3cret", TELEGRAM_API_BASE_URL=fake_telegram.origin,
                               PUBLIC_BASE_URL="https://tabe.example.id")
    done = subprocess.run([str(TABE), "telegram", "set-webhook"], env=environment, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    webhook = fake_telegram.webhook
    assert webhook["url"] == "https://tabe.example.id/telegram/webhook"
    assert webhook["secret_token"] == "s3cret"
    assert webhook["allowed_updates"] == ["message", "edited_message", "callback_query", "my_chat_member"]


def test_set_webhook_says_what_is_missing(sqlite_database: Database) -> None:
    done = subprocess.run([str(TABE), "telegram", "set-webhook"], env=_environment(sqlite_database),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "set TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET, PUBLIC_BASE_URL first" in done.stderr
