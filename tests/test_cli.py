"""The `tabe` commands an operator runs: serve, worker, telegram set-webhook and programs, as real processes."""

import os
import signal
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx
from sqlalchemy import select

from bot.sample import seed
from fake_telegram import FakeTelegram
from server import TABE, serving
from store.db import Database
from store.models import TrainingSession
from store.training import SignUp


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


# -- tabe programs ------------------------------------------------------------------------

PROGRAMMES = Path(__file__).parent / "programmes"
SAMPLE_PROGRAMMES = Path(__file__).parent.parent / "bot" / "sample_programmes.yaml"


def _tabe(database: Database, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(TABE), *arguments], env=_environment(database), capture_output=True, text=True,
                          timeout=60)


def _programme_codes(database: Database) -> list[str]:
    with database.transaction() as registry:
        return [summary[0] for summary in registry.training.summaries()]


def test_programs_import_applies_a_file_and_again_changes_nothing(sqlite_database: Database) -> None:
    first = _tabe(sqlite_database, "programs", "import", str(PROGRAMMES / "good.csv"))
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "programmes: 2 created, 0 updated, 0 unchanged; sessions: 3 created, 0 updated, 0 unchanged",
        "owners on a waiting list given a seat: 0"]
    again = _tabe(sqlite_database, "programs", "import", str(PROGRAMMES / "good.yaml"))
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[0] == (
        "programmes: 0 created, 0 updated, 2 unchanged; sessions: 0 created, 0 updated, 3 unchanged")


def test_programs_import_of_a_file_with_a_bad_row_says_where_and_changes_nothing(sqlite_database: Database) -> None:
    path = PROGRAMMES / "one_bad_row.csv"
    done = _tabe(sqlite_database, "programs", "import", str(path))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"{path}:4: capacity: '0': a whole number of seats from 1 to 10000, please"]
    assert done.stdout == ""
    assert _programme_codes(sqlite_database) == []  # the good rows around it were not imported either


def test_programs_import_reports_every_bad_row(sqlite_database: Database) -> None:
    path = PROGRAMMES / "many_bad.yaml"
    done = _tabe(sqlite_database, "programs", "import", str(path))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert [line.split(":")[1] for line in lines] == ["13", "14", "17", "18", "19", "22", "23", "32", "35"]
    assert all(line.startswith(f"{path}:") for line in lines)
    assert _programme_codes(sqlite_database) == []


OPEN_TO_ALL = """\
- code: pembukuan-2027
  name: Pembukuan Sederhana
  organiser: UPT Balai Pelatihan KUKM Provinsi Kalimantan Tengah
  teaches: [keuangan]
  sessions:
    - {{code: plk-1, starts: 2027-02-23 09:00, ends: 2027-02-25 15:00, place: Aula Jayang Tingang,
       kabupaten: Palangka Raya, capacity: {capacity}}}
"""


def test_programs_import_gives_new_seats_to_the_waiting_list(sqlite_database: Database, tmp_path: Path) -> None:
    seed(sqlite_database, 2)
    path = tmp_path / "seats.yaml"
    path.write_text(OPEN_TO_ALL.format(capacity=1))
    assert _tabe(sqlite_database, "programs", "import", str(path)).returncode == 0
    with sqlite_database.transaction(datetime(2026, 12, 1, tzinfo=timezone.utc)) as registry:
        [session_id] = registry.session.execute(select(TrainingSession.id)).scalars()
        assert [registry.training.sign_up(session_id, owner_id, registry.audience(owner_id), waitlist=True)
                for owner_id in (1, 2)] == [SignUp.REGISTERED, SignUp.WAITLISTED]
    path.write_text(OPEN_TO_ALL.format(capacity=2))
    done = _tabe(sqlite_database, "programs", "import", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "programmes: 0 created, 0 updated, 1 unchanged; sessions: 0 created, 1 updated, 0 unchanged",
        "owners on a waiting list given a seat: 1"]


def test_programs_list_shows_sessions_ahead_seats_and_the_next_start_in_wib(sqlite_database: Database,
                                                                            tmp_path: Path) -> None:
    assert _tabe(sqlite_database, "programs", "list").stdout.splitlines()[-1].startswith("no programmes yet")
    # Sessions far ahead, so they are still ahead whenever the test runs.
    path = tmp_path / "ahead.yaml"
    path.write_text((PROGRAMMES / "good.yaml").read_text().replace("2027-", "2099-"))
    assert _tabe(sqlite_database, "programs", "import", str(path)).returncode == 0
    done = _tabe(sqlite_database, "programs", "list")
    assert done.returncode == 0, done.stderr
    assert [line.split() for line in done.stdout.splitlines()] == [
        "code name sessions ahead seats taken/offered next start".split(),
        "kemasan-2027 Pelatihan Kemasan dan Label 2 0/55 Senin, 2 Februari 2099 pukul 09.00 WIB".split(),
        "kur-2027 Akses Pembiayaan dan KUR 1 0/40 Senin, 9 Maret 2099 pukul 09.00 WIB".split(),
    ]


def test_the_sample_programmes_import_cleanly(sqlite_database: Database) -> None:
    done = _tabe(sqlite_database, "programs", "import", str(SAMPLE_PROGRAMMES))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("programmes: 10 created, 0 updated, 0 unchanged; sessions: ")
    assert len(_programme_codes(sqlite_database)) == 10
