"""The `tabe` commands an operator runs, as real processes: what each does, what it imports, and how it fails."""

import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, make_url, select, text, update

from bot.cli import main
from bot.sample import seed
from domain.channels import PUSH_CHANNELS
from domain.wib import in_wib
from fake_telegram import FakeTelegram
from flows.i18n import Text
from server import TABE, free_port, serving
from store.db import Database
from store.migrate import head_revision, upgrade
from store.models import Business, Conversation, OutboxMessage, TrainingSession, as_utc
from store.officers import PROVINCE
from store.outbox import Delivery
from store.training import ProgrammeRecord, SessionRecord, SignUp


def _environment(database: Database, **settings: str) -> dict[str, str]:
    return _environment_for(database.url, **settings)


def _environment_for(database_url: str, **settings: str) -> dict[str, str]:
    keep = {name: value for name, value in os.environ.items() if not name.startswith(("TELEGRAM_", "TWILIO_"))}
    return {**keep, "DATABASE_URL": database_url, **settings}


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
    return _tabe_at(database.url, *arguments)


def _tabe_at(database_url: str, *arguments: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(TABE), *arguments], env=_environment_for(database_url), input=stdin,
                          capture_output=True, text=True, timeout=60)


def _programme_codes(database: Database) -> list[str]:
    with database.transaction() as registry:
        return [summary[0] for summary in registry.training.summaries()]


def test_programs_import_applies_a_file_and_again_changes_nothing(sqlite_database: Database) -> None:
    first = _tabe(sqlite_database, "programs", "import", str(PROGRAMMES / "good.csv"))
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "programmes: 2 created, 0 updated, 0 unchanged; sessions: 3 created, 0 updated, 0 unchanged",
        "owners on a waiting list given a seat: 0",
        "sessions moved: 0; sessions cancelled: 0, owners who held a place in them: 0"]
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


# A session far ahead, so `tabe`, on the wall clock, gives its seats whenever the test runs.
OPEN_TO_ALL = """\
- code: pembukuan-2099
  name: Pembukuan Sederhana
  organiser: UPT Balai Pelatihan KUKM Provinsi Kalimantan Tengah
  teaches: [keuangan]
  sessions:
    - {{code: plk-1, starts: 2099-02-23 09:00, ends: 2099-02-25 15:00, place: Aula Jayang Tingang,
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
        "owners on a waiting list given a seat: 1",
        "sessions moved: 0; sessions cancelled: 0, owners who held a place in them: 0"]


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


# -- tabe announce ------------------------------------------------------------------------------

KOTIM, KAPUAS = "62.02", "62.03"
ANNOUNCED = "Pelatihan QRIS gratis di Sampit, 3 Februari."


@pytest.fixture
def six_owners(database: Database) -> Database:
    """Owners 1-4 in Kotim, 5-6 in Kapuas, each with their sample chat; 1 said "berhenti", 2 blocked the bot, and
    3 only ever chatted in the browser."""
    seed(database, 6)
    with database.engine.begin() as connection:
        for owners, kabupaten in (((1, 2, 3, 4), KOTIM), ((5, 6), KAPUAS)):
            connection.execute(update(Business).where(Business.owner_id.in_(owners)).values(kabupaten_code=kabupaten))
        connection.execute(update(Conversation).where(Conversation.owner_id == 2).values(blocked_at=START_OF_TESTS))
        connection.execute(update(Conversation).where(Conversation.owner_id == 3).values(channel="web"))
    with database.transaction() as registry:
        assert registry.announcements.stop(1, "test")
    return database


START_OF_TESTS = datetime(2026, 11, 27, tzinfo=timezone.utc)


def _announce(database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
              *arguments: str) -> tuple[int, str, str]:
    """`tabe announce …` through the command's own main function: its exit status, what it printed and said wrong."""
    return _main(database, monkeypatch, capsys, "announce", *arguments)


def _main(database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
          *arguments: str) -> tuple[int, str, str]:
    """`tabe …` through the command's own main function: its exit status, what it printed and said wrong."""
    monkeypatch.setenv("DATABASE_URL", database.url)
    try:
        status = main(list(arguments))
    except SystemExit as exit_:  # argparse refuses an argument this way
        status = int(exit_.code or 0)
    printed = capsys.readouterr()
    return status, printed.out, printed.err


def _queued(database: Database) -> list[tuple[int | None, str]]:
    with database.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(  # type: ignore[misc]
            select(OutboxMessage.owner_id, OutboxMessage.status).order_by(OutboxMessage.owner_id))]


def test_announce_dry_run_says_who_it_reaches_who_is_left_out_and_how_it_reads(
        six_owners: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED, "--dry-run")
    assert status == 0
    assert "to: owners in Provinsi Kalimantan Tengah\n" in out
    assert ("reaches 3 owners; left out: 1 stopped announcements, 0 not yet asked whether they want them (or did not "
            "answer), 1 blocked the bot, 1 have no chat we can write to"
            in out)
    assert "Pengumuman dari Dinas Koperasi dan UKM Provinsi Kalimantan Tengah:\n\n" + ANNOUNCED in out
    assert 'Balas "berhenti"' in out and out.rstrip().endswith("dry run: nothing queued")
    assert _queued(six_owners) == []


def test_announce_queues_one_row_per_owner_reached_by_the_command_line_user(
        six_owners: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    words = tmp_path / "pengumuman.txt"
    words.write_text(ANNOUNCED + "\n", encoding="utf-8")
    status, out, _ = _announce(six_owners, monkeypatch, capsys, "--file", str(words), "--kabupaten", "Kotim", "--yes")
    assert status == 0, out
    assert "to: owners in Provinsi Kalimantan Tengah with a business in Kabupaten Kotawaringin Timur" in out
    assert "announcement 1 queued for 1 owners" in out
    assert _queued(six_owners) == [(4, "pending")]
    with six_owners.transaction() as registry:
        report = registry.announcements.report(1)
    assert report is not None and report.author.startswith("cli:") and report.officer_id is None
    assert report.text == ANNOUNCED


def test_announce_asks_on_a_terminal_and_queues_only_on_yes(
        six_owners: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("tidak\n"))
    status, out, _ = _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED)
    assert (status, _queued(six_owners)) == (1, [])
    assert "Queue it for 3 owners? [y/N] nothing queued" in out
    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
    status, out, _ = _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED)
    assert status == 0 and "announcement 1 queued for 3 owners" in out
    assert _queued(six_owners) == [(4, "pending"), (5, "pending"), (6, "pending")]


def test_announce_without_a_terminal_needs_yes(sqlite_database: Database) -> None:
    seed(sqlite_database, 2)
    done = _tabe(sqlite_database, "announce", "--text", ANNOUNCED)
    assert done.returncode == 1
    assert "add --yes" in done.stderr and _queued(sqlite_database) == []


def test_announce_as_an_officer_stays_within_their_scope(
        six_owners: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    with six_owners.transaction() as registry:
        kapuas = registry.officers.add("Rina Lestari", None, "777001", KAPUAS, actor="test")
        gone = registry.officers.add("Budi Tambun", None, "777002", PROVINCE, actor="test")
        registry.officers.remove(gone, actor="test")
    outside = _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED, "--officer", str(kapuas),
                        "--kabupaten", "Kotim", "--yes")
    assert outside[0] == 2
    assert "the officer's scope is Kabupaten Kapuas: Kabupaten Kotawaringin Timur is outside it" in outside[2]
    removed = _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED, "--officer", str(gone), "--yes")
    assert removed[0] == 2 and f"no active officer has id {gone}" in removed[2]
    assert _queued(six_owners) == []

    status, out, _ = _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED, "--officer", str(kapuas), "--yes")
    assert status == 0 and f"as officer {kapuas} (Rina Lestari)" in out
    assert "to: owners in Kabupaten Kapuas\n" in out
    assert "Pengumuman dari Dinas Koperasi dan UKM Kabupaten Kapuas:\n\n" + ANNOUNCED in out  # as owners read it
    assert _queued(six_owners) == [(5, "pending"), (6, "pending")]
    with six_owners.transaction() as registry:
        report = registry.announcements.report(1)
    assert report is not None and (report.officer_id, report.scope) == (kapuas, KAPUAS)


@pytest.mark.parametrize(("arguments", "said"), [
    (("--sector", "bakso"), "'bakso': one of kuliner, fesyen"),
    (("--class", "besar"), "'besar': one of mikro, kecil, menengah, please"),
    (("--level", "jago"), "'jago': one of pemula, berkembang, mandiri, siap_naik_kelas, please"),
    (("--kabupaten", "Kota Baru"), "did you mean"),
    (("--programme", "tidak-ada"), "no programme has the code 'tidak-ada'"),
])
def test_announce_refuses_a_segment_it_cannot_make_and_says_why(
        six_owners: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        arguments: tuple[str, ...], said: str) -> None:
    status, _, err = _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED, *arguments, "--yes")
    assert status == 2 and said in err
    assert _queued(six_owners) == []


def test_announce_takes_choices_as_people_write_them_and_programmes_by_code(
        six_owners: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    starts = datetime(2099, 2, 3, 2, 0, tzinfo=timezone.utc)
    with six_owners.transaction(START_OF_TESTS) as registry:
        registry.training.import_programmes(
            [ProgrammeRecord("qris", "Pelatihan QRIS", "Pembayaran digital.", "Dinas Koperasi dan UKM", ("digital",))],
            [SessionRecord("qris", "sampit-1", starts, starts + timedelta(hours=3), "Aula", KOTIM, 20,
                           starts - timedelta(days=1))])
        [session_id] = registry.session.execute(select(TrainingSession.id)).scalars()
        for owner_id in (4, 5):
            assert registry.training.sign_up(session_id, owner_id, registry.audience(owner_id),
                                             waitlist=False) == SignUp.REGISTERED
    status, out, _ = _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED, "--programme", "qris",
                               "--level", "Siap Naik Kelas", "--dry-run")
    assert status == 0
    assert "with a business self-assessed siap_naik_kelas taking part in programme qris" in out
    status, out, _ = _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED, "--programme", "qris",
                               "--session", "sampit-1", "--class", "mikro", "--dry-run")
    assert status == 0 and "with a business class mikro taking part in programme qris, session sampit-1" in out
    for arguments, said in ((("--session", "sampit-1"), "--session needs --programme"),
                            (("--programme", "qris", "--session", "palangka-9"), "has no session 'palangka-9'")):
        status, _, err = _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED, *arguments, "--yes")
        assert status == 2 and said in err
    status, out, _ = _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED, "--programme", "qris", "--yes")
    assert status == 0 and _queued(six_owners) == [(4, "pending"), (5, "pending")]


def test_announce_at_a_time_waits_for_it_and_can_be_cancelled_until_then(
        six_owners: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED, "--at", "2020-01-06 08:00",
                               "--yes")
    assert status == 2 and "--at '2020-01-06 08:00': That moment has passed." in err
    status, out, _ = _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED, "--at", "besok 08.00", "--yes")
    assert status == 0 and "`tabe announce cancel 1` cancels it before then" in out
    with six_owners.transaction() as registry:
        report = registry.announcements.report(1)
        assert report is not None and report.send_at is not None and report.cancellable(registry.now)
        assert (in_wib(report.send_at).hour, in_wib(report.send_at).minute) == (8, 0)
        assert f"to go on {Text('id').moment(report.send_at)}" in out
    with six_owners.engine.connect() as connection:
        assert {as_utc(due) for due in connection.scalars(select(OutboxMessage.due_at))} == {report.send_at}
    assert main(["announce", "cancel", "1"]) == 0
    assert "announcement 1 cancelled: none of its messages will be sent" in capsys.readouterr().out
    assert main(["announce", "cancel", "1"]) == 1
    assert "announcement 1 was cancelled before" in capsys.readouterr().err
    assert main(["announce", "cancel", "7"]) == 1
    assert "no announcement has id 7" in capsys.readouterr().err
    assert _queued(six_owners) == [(4, "cancelled"), (5, "cancelled"), (6, "cancelled")]
    assert main(["announce", "status", "1"]) == 0
    assert "cancelled " in capsys.readouterr().out


def test_announce_status_counts_every_outcome_and_lists_the_recipients(
        six_owners: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED, "--yes")[0] == 0
    with six_owners.engine.begin() as connection:
        for owner_id, outcome, error in ((4, Delivery.DELIVERED, None), (5, Delivery.FAILED, "Forbidden: bot was "
                                                                                         "blocked by the user")):
            connection.execute(update(OutboxMessage).where(OutboxMessage.owner_id == owner_id)
                               .values(status=outcome, error=error))
    channels = {owner_id: _channel(six_owners, owner_id) for owner_id in (4, 5, 6)}
    with six_owners.transaction() as registry:
        registry.erase_owner(6, actor="test")  # their row stays counted, with nothing personal in it
        names = {owner_id: registry.owner_profile(owner_id).name for owner_id in (4, 5)}  # type: ignore[union-attr]

    status, out, _ = _announce(six_owners, monkeypatch, capsys, "status", "1", "--recipients")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("announcement 1, queued ") and " WIB by cli:" in lines[0]
    assert lines[1:4] == ["to: owners in Provinsi Kalimantan Tengah",
                          "sent 0, delivered 1, failed 1, waiting 0, cancelled 1 (of 3)",
                          "left out: 1 stopped announcements, 0 not yet asked whether they want them (or did not answer), 1 blocked the bot, 1 have no chat we can write to"]
    # Columns are two spaces or more apart; a name has single spaces.
    assert [re.split(r"\s{2,}", line.strip()) for line in lines[4:]] == [
        ["owner", "channel", "status", "error"],
        [names[4], channels[4], "delivered"],
        [names[5], channels[5], "failed", "Forbidden: bot was blocked by the user"],
        ["(deleted)", channels[6], "cancelled", "erased"]]

    missing = _announce(six_owners, monkeypatch, capsys, "status", "9")
    assert missing[0] == 1 and "no announcement has id 9" in missing[2]


def _on_whatsapp(database: Database, heard_hours_ago: dict[int, int]) -> None:
    """These owners' chats on WhatsApp, last written in so many hours before the command runs (which reads the
    real clock: only how long ago counts)."""
    now = datetime.now(timezone.utc)
    with database.engine.begin() as connection:
        for owner_id, hours in heard_hours_ago.items():
            connection.execute(update(Conversation).where(Conversation.owner_id == owner_id).values(
                channel="whatsapp", address=f"whatsapp:+62811000000{owner_id}", updated_at=now - timedelta(hours=hours)))


@pytest.mark.parametrize("category", ["marketing", "utility"])
def test_announce_dry_run_says_how_many_need_whatsapp_s_template_and_its_category(
        six_owners: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        category: str) -> None:
    _on_whatsapp(six_owners, {4: 1, 5: 72, 6: 25})  # the three it reaches; 4 wrote within the 24 hours
    monkeypatch.setenv("WHATSAPP_TEMPLATE_CATEGORY", category)
    status, out, _ = _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED, "--dry-run")
    assert status == 0
    assert (f"as WhatsApp's approved template ({category}, which Meta charges for): 2, who will not have written on "
            "WhatsApp in the 24 hours before it goes\n") in out
    status, out, _ = _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED, "--dry-run", "--at", "lusa 08.00")
    assert status == 0 and f"({category}, which Meta charges for): 3, who" in out  # by then 4's window closed too


def test_announce_status_shows_per_provider_the_messages_sent_as_free_text_and_as_templates(
        six_owners: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _on_whatsapp(six_owners, {4: 1, 5: 1, 6: 1})
    assert _announce(six_owners, monkeypatch, capsys, "--text", ANNOUNCED, "--yes")[0] == 0
    with six_owners.transaction() as registry:
        rows = {row.address: row.id for row in registry.outbox.claim(10, PUSH_CHANNELS, registry.now)}
        assert len(rows) == 3
        registry.outbox.sent([(row_id, "whatsapp", f"SM{row_id}", "twilio", number > 0)
                              for number, row_id in enumerate(rows.values())])
    status, out, _ = _announce(six_owners, monkeypatch, capsys, "status", "1")
    assert status == 0
    assert [re.split(r"\s{2,}", line.strip()) for line in out.splitlines()[4:]] == [
        ["provider", "free text", "template"], ["Twilio", "1", "2"]]


def _channel(database: Database, owner_id: int) -> str:
    with database.engine.connect() as connection:
        return connection.scalar(select(Conversation.channel).where(Conversation.owner_id == owner_id)) or ""


def test_announce_list_shows_the_latest_first(six_owners: Database, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert "no announcements yet" in _announce(six_owners, monkeypatch, capsys, "list")[1]
    for words in ("Pertama", "Kedua " + "panjang " * 10):
        assert _announce(six_owners, monkeypatch, capsys, "--text", words, "--yes")[0] == 0
    status, out, _ = _announce(six_owners, monkeypatch, capsys, "list")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["id", "queued", "by", "reaches", "sent", "delivered", "failed", "waiting", "text"]
    assert [line.split()[0] for line in lines[1:]] == ["2", "1"]
    assert lines[1].endswith("Kedua panjang panjang panjang panjang p…") and lines[2].endswith("Pertama")
    assert lines[2].split()[-6:-1] == ["3", "0", "0", "0", "3"]


# -- tabe survey --------------------------------------------------------------------------------


def _survey(database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            *arguments: str) -> tuple[int, str, str]:
    return _main(database, monkeypatch, capsys, "survey", *arguments)


def test_survey_dry_run_says_whom_it_asks_and_how_its_first_question_reads(
        six_owners: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _survey(six_owners, monkeypatch, capsys, "start", "--kind", "pemutakhiran", "--dry-run")
    assert status == 0
    assert "to: owners in Provinsi Kalimantan Tengah\n" in out
    # "berhenti" said, the bot blocked, only the browser: left out
    assert "asks 3 owners about 3 businesses; left out: owners who said \"berhenti\"" in out
    assert "sedang memperbarui data (nama usaha)." in out and "Apakah usaha ini masih berjalan?" in out
    assert out.rstrip().endswith("dry run: nothing queued") and _queued(six_owners) == []


def test_survey_start_queues_the_first_question_and_status_and_list_follow_it(
        six_owners: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert "no surveys yet" in _survey(six_owners, monkeypatch, capsys, "list")[1]
    status, out, _ = _survey(six_owners, monkeypatch, capsys, "start", "--kind", "Penilaian ulang", "--kabupaten",
                             "Kapuas", "--yes")
    assert status == 0, out
    assert "mengisi lagi penilaian mandiri (nama usaha)" in out
    assert "survey 1 started: its first question queued for 2 owners" in out
    assert _queued(six_owners) == [(5, "pending"), (6, "pending")]
    with six_owners.transaction() as registry:  # a worker takes its messages: their businesses are asked about
        assert len(registry.claim_outbox(10, PUSH_CHANNELS, registry.now)) == 2
        follow_up = registry.follow_ups.waiting(5)
        assert follow_up is not None
        registry.follow_ups.finish(follow_up.id)
    status, out, _ = _survey(six_owners, monkeypatch, capsys, "status", "1")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("survey 1 (penilaian_ulang), started ") and " WIB by cli:" in lines[0]
    assert lines[1:] == ["to: owners in Provinsi Kalimantan Tengah with a business in Kabupaten Kapuas",
                         "sent to 2 owners, about 2 businesses",
                         "asked 1, started 0, later 0, stopped 0, done 1, lapsed 0",
                         "response rate: 50%"]
    status, out, _ = _survey(six_owners, monkeypatch, capsys, "list")
    lines = out.splitlines()
    assert lines[0].split() == ["id", "started", "by", "kind", "owners", "businesses", "done", "response", "rate"]
    assert lines[1].split()[0] == "1" and lines[1].split()[-5:] == ["penilaian_ulang", "2", "2", "1", "50%"]


@pytest.mark.parametrize(("arguments", "said"), [
    (("start", "--kind", "sensus", "--yes"), "'sensus': one of pemutakhiran, penilaian_ulang, please"),
    (("start", "--yes"), "the following arguments are required: --kind"),
    (("start", "--kind", "pemutakhiran", "--programme", "tidak-ada", "--yes"), "no programme has the code"),
    (("start", "--kind", "pemutakhiran", "--officer", "99", "--yes"), "no active officer has id 99"),
    (("status", "9"), "no survey has id 9"),
])
def test_survey_refuses_what_it_cannot_do_and_says_why(
        six_owners: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        arguments: tuple[str, ...], said: str) -> None:
    status, _, err = _survey(six_owners, monkeypatch, capsys, *arguments)
    assert status == 2 and said in err and "Traceback" not in err
    assert _queued(six_owners) == []


def test_survey_start_without_anyone_to_ask_queues_nothing(sqlite_database: Database) -> None:
    done = _tabe(sqlite_database, "survey", "start", "--kind", "pemutakhiran", "--yes")
    assert done.returncode == 1 and "nobody to ask: nothing queued" in done.stderr
    assert "Traceback" not in done.stderr


# -- what a command imports ---------------------------------------------------------------------

HEAVY = ("uvicorn", "starlette", "telegram", "twilio", "bot.app", "yaml")  # the web server, the channels' clients, files


def _imported(database: Database, *arguments: str, stdin: str = "") -> set[str]:
    """Every module `tabe ARGUMENTS` imported, from Python's own -X importtime report."""
    done = subprocess.run([sys.executable, "-X", "importtime", str(TABE), *arguments], env=_environment(database),
                          input=stdin, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize("arguments", [("--help",), ("chat",), ("officers", "list")])
def test_a_command_without_a_server_does_not_import_one(sqlite_database: Database, arguments: tuple[str, ...]) -> None:
    imported = _imported(sqlite_database, *arguments, stdin="halo\n")
    assert "bot.cli" in imported  # the report is read right
    assert sorted(name for name in imported if name.split(".")[0] in HEAVY or name in HEAVY) == []


# -- a database that cannot be used --------------------------------------------------------------

PASSWORD = "s3cret-Pa55"


def _not_there(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tabe.sqlite3'}"


def _empty(tmp_path: Path) -> str:
    """A SQLite file nobody migrated."""
    path = tmp_path / "tabe.sqlite3"
    sqlite3.connect(path).close()
    return f"sqlite:///{path}"


def _behind(tmp_path: Path) -> str:
    url = _not_there(tmp_path)
    upgrade(url, "0004")
    return url


def _from_the_future(tmp_path: Path) -> str:
    """Migrated by a later version of the code than this one."""
    url = _not_there(tmp_path)
    upgrade(url)
    with closing(sqlite3.connect(tmp_path / "tabe.sqlite3")) as connection, connection:  # closed, once committed
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    return url


def _unreachable(_tmp_path: Path) -> str:
    return f"postgresql://tabe:{PASSWORD}@127.0.0.1:{free_port()}/tabe"


def _in_no_directory(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'nowhere' / 'tabe.sqlite3'}"


PROBLEMS: dict[str, tuple[Callable[[Path], str], str]] = {  # how to make the database, and what the line says
    "not there": (_not_there, "there is no database at sqlite:///"),
    "not migrated": (_empty, "is not migrated: run `tabe db upgrade`"),
    "behind": (_behind, f"is not migrated (schema 0004, this version needs {head_revision()}): run `tabe db upgrade`"),
    "from the future": (_from_the_future, "has schema 9999, which this version of tabe does not know"),
    "unreachable": (_unreachable, "cannot reach the database at postgresql://tabe:***@127.0.0.1:"),
    "not a URL": (lambda _tmp_path: f"postgresql://tabe:{PASSWORD}@db:fivefourthreetwo/tabe",
                  "DATABASE_URL is not a database URL: give one like sqlite:///"),
    "unknown kind": (lambda _tmp_path: f"mysql://tabe:{PASSWORD}@db/tabe",
                     "DATABASE_URL mysql://tabe:***@db/tabe is not a database this bot runs on"),
    "no directory": (_in_no_directory, "there is no directory"),
}

# Every subcommand that touches the registry, each against a database it cannot use; the kinds of trouble go round.
SUBCOMMANDS = [
    (("db", "seed"), "not migrated"),
    (("db", "upgrade"), "unreachable"),
    (("db", "upgrade"), "not a URL"),
    (("db", "upgrade"), "no directory"),
    (("db", "upgrade"), "from the future"),
    (("programs", "import", str(PROGRAMMES / "good.csv")), "behind"),
    (("programs", "list"), "unreachable"),
    (("officers", "add", "--name", "Rina Lestari", "--telegram", "777001", "--scope", "provinsi"), "not there"),
    (("officers", "list"), "unknown kind"),
    (("officers", "remove", "1"), "from the future"),
    (("officers", "login-link", "Rina Lestari"), "not migrated"),
    (("announce", "--text", ANNOUNCED, "--dry-run"), "unreachable"),
    (("announce", "status", "1"), "behind"),
    (("announce", "list"), "not a URL"),
    (("chat",), "not there"),
    (("worker",), "unreachable"),
    (("worker",), "not migrated"),
    (("serve",), "not a URL"),
    (("serve",), "no directory"),
]


@pytest.mark.parametrize(("arguments", "problem"), SUBCOMMANDS,
                         ids=[f"{' '.join(arguments[:2])}-{problem}" for arguments, problem in SUBCOMMANDS])
def test_a_command_on_a_database_it_cannot_use_says_what_to_do_in_one_line(
        tmp_path: Path, arguments: tuple[str, ...], problem: str) -> None:
    make, said = PROBLEMS[problem]
    url = make(tmp_path)
    done = _tabe_at(url, *arguments, stdin="halo\n")
    assert done.returncode != 0
    assert done.stderr.splitlines() == [done.stderr.strip()] and said in done.stderr, done.stderr
    assert "Traceback" not in done.stdout + done.stderr and PASSWORD not in done.stderr
    if problem == "not there":
        assert not (tmp_path / "tabe.sqlite3").exists()  # nothing was created on the way


@pytest.mark.parametrize("arguments", [("officers", "add", "--name", "Rina Lestari", "--telegram", "777001",
                                        "--scope", "provinsi"), ("officers", "list"), ("programs", "list")])
def test_a_database_that_fails_after_the_check_at_start_is_one_line_too(sqlite_database: Database,
                                                                       arguments: tuple[str, ...]) -> None:
    """Migrated, so the check passes; then the statement fails (here a table is gone): one line, no traceback."""
    with sqlite_database.engine.begin() as connection:
        connection.execute(text("PRAGMA foreign_keys=OFF"))
        connection.execute(text("DROP TABLE officers"))
        connection.execute(text("DROP TABLE programmes"))
    done = _tabe(sqlite_database, *arguments)
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert done.stderr.splitlines() == [done.stderr.strip()] and "failed: no such table" in done.stderr, done.stderr


def test_serve_starts_before_the_database_is_migrated_and_says_so(tmp_path: Path) -> None:
    """Platforms start the web process before the database is up: it serves, /healthz says 503, and a line why."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen([str(TABE), "serve", "--port", str(port)], env=_environment_for(_empty(tmp_path)),
                                   stdout=subprocess.DEVNULL, stderr=output, text=True)
        try:
            health = _first_answer(f"http://127.0.0.1:{port}/healthz", process)
            page = httpx.get(f"http://127.0.0.1:{port}/")
        finally:
            process.terminate()
            process.wait(timeout=20)
    assert health.status_code == 503 and page.status_code == 200
    assert log.read_text().splitlines()[0].startswith("the database at sqlite:///")
    assert "is not migrated: run `tabe db upgrade`; serving meanwhile, /healthz answers 503" in log.read_text()


def _first_answer(url: str, process: subprocess.Popen[str]) -> httpx.Response:
    """The first answer from `url` once the server accepts connections."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(url)
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_a_postgresql_database_nobody_migrated_says_run_tabe_db_upgrade_until_it_is_done(postgres_url: str) -> None:
    server = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS tabe_unmigrated"))
        connection.execute(text("CREATE DATABASE tabe_unmigrated"))
    url = make_url(postgres_url).set(database="tabe_unmigrated").render_as_string(hide_password=False)
    try:
        before = _tabe_at(url, "officers", "list")
        assert before.returncode == 1
        assert before.stderr == f"the database at {url} is not migrated: run `tabe db upgrade`\n"
        assert _tabe_at(url, "db", "upgrade").returncode == 0
        after = _tabe_at(url, "officers", "list")
        assert (after.returncode, after.stderr) == (0, "")
    finally:
        with server.connect() as connection:
            connection.execute(text("DROP DATABASE tabe_unmigrated WITH (FORCE)"))
        server.dispose()


BAD_SETTINGS = [("PORT", "abc"), ("PORT", "70000"), ("PORT", "0"), ("TWILIO_MPS", "1.5"), ("TWILIO_MPS", "-3"),
                ("TWILIO_MPS", "0"), ("TELEGRAM_MPS", "٣٠"), ("TELEGRAM_MPS", "thirty")]


@pytest.mark.parametrize(("name", "value"), BAD_SETTINGS, ids=[f"{name}={value}" for name, value in BAD_SETTINGS])
@pytest.mark.parametrize("arguments", [("officers", "list"), ("serve",), ("worker",)], ids=" ".join)
def test_a_setting_that_is_not_a_number_is_named_in_one_line(sqlite_database: Database, name: str, value: str,
                                                              arguments: tuple[str, ...]) -> None:
    done = subprocess.run([str(TABE), *arguments], env=_environment(sqlite_database, **{name: value}),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"{name} must be a whole number ") and line.endswith(f", not {value!r}"), line


def test_a_reader_that_stops_reading_ends_the_chat_quietly(sqlite_database: Database) -> None:
    """`tabe chat | head -1`: the pipe closes under the bot's answers; no traceback, a non-zero exit."""
    process = subprocess.Popen([str(TABE), "chat", "--as", "siti"], env=_environment(sqlite_database),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stdin is not None
    process.stdout.readline()
    process.stdout.close()  # as `head -1` does once it has its line
    _, errors = process.communicate("halo\nhalo\nhalo\n".encode(), timeout=60)
    assert process.returncode == 1 and errors.decode() == ""
