"""Announcements at provincial scale: queueing one to 100,000 owners, and sending it against the fake providers.

The registry holds --owners sample owners (`tabe db seed`'s generator: one business and one
Telegram or WhatsApp chat each, about 65% Telegram). Three measurements, on SQLite (a file, WAL)
and on a throwaway PostgreSQL server (fsync on; started as bench/programmes.py starts it):

- enqueue: `Announcements.announce` to everyone in the province, as `tabe announce --yes` does it:
  the count of who it reaches and who is left out, the announcement row and one outbox row per
  recipient in one INSERT … SELECT, committed. Timed --runs times (the rows are deleted between
  runs); the median and the range.
- unthrottled: the channel limits lifted (TELEGRAM_MPS and the WhatsApp provider's at a million, the
  fakes not enforcing anything), `tabe worker` processes send a fresh 100,000-recipient announcement
  to the fake Bot API and the fake of the WhatsApp provider, each run as its own process
  (tests/fake_telegram.py, and tests/fake_twilio.py or tests/fake_whatsapp_cloud.py). After --warmup seconds, outcomes committed as sent in the registry are
  counted over --seconds: messages/s, in all and per worker, with each worker's CPU use. One
  worker on SQLite (one writer: SQLite's mode is one worker), one on PostgreSQL, two on PostgreSQL.
- survey: `FollowUps.start_survey` ("pemutakhiran data") for the whole province, as `tabe survey start --yes`
  starts it: the survey row, one follow-up per business and one outbox row per owner in two INSERT … SELECT,
  committed; and in the same run, alternating with it, `announce` to the same segment (the enqueue above). Timed
  --runs times each (the rows deleted between runs); the medians and the ranges.
- limits: the real limits (TELEGRAM_MPS 30, TWILIO_MPS 10, WHATSAPP_CLOUD_MPS 80, the defaults) and the
  fakes enforcing them (--enforce-limits: a sendMessage beyond 30 in any one second or a second one to
  a chat within a second, a Twilio create beyond 10 in any one second, is answered 429; a Cloud API
  message beyond 80 in any one second, error 130429). What the fakes accepted over --limit-seconds, per
  channel, against the limit, and every rate-limit error they answered from the start. One worker on
  SQLite, one and two on PostgreSQL.

The unthrottled and limits parts run once per WhatsApp provider (--whatsapp: Twilio's, then Meta's
Cloud API, WHATSAPP_PROVIDER choosing), one after the other in the same run.

Processes and cores (os.sched_getaffinity, set before exec so every thread inherits it): one
worker on the first core; the fakes and PostgreSQL on the last. With two workers, one on each
core: there is no third core on the 2-core machine, so the second worker shares its core with
the fakes and PostgreSQL. This process only polls, twice a window.

Run: `make bench`, or `.venv/bin/python bench/broadcast.py [--owners 100000] [--runs 3] [--seconds 15]
[--limit-seconds 30] [--warmup 3] [--backends sqlite,postgresql] [--parts enqueue,survey,unthrottled,limits]
[--whatsapp twilio,cloud]`.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from programmes import postgres, postgres_bin
from sqlalchemy import delete, func, select, update

from bot.sample import seed
from domain.channels import PUSH_CHANNELS
from store.announcements import Segment
from store.db import Database
from store.follow_ups import Kind
from store.migrate import upgrade
from store.models import Announcement, FollowUp, OutboxMessage, Survey
from store.officers import PROVINCE
from store.outbox import WAITING, Delivery

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
TABE = Path(sys.executable).parent / "tabe"
ANNOUNCED = "Pendaftaran Pelatihan QRIS gratis dibuka sampai 31 Januari 2027. Ketik \"program\" untuk mendaftar."
UNLIMITED = 1_000_000  # messages per second: no channel limit
TELEGRAM_LIMIT = 30  # what the Bot API allows, and the worker's default
TWILIO_SID, TWILIO_TOKEN = "AC" + "0123456789abcdef" * 2, "bench-auth-token"
CLOUD_TOKEN = "bench-cloud-access-token"
# WhatsApp owners who have not written in 24 hours get the template: all sample owners.
TEMPLATE = "HX" + "0" * 32
CLOUD_TEMPLATE = ("tabe_pengumuman", "id")  # the fake Cloud API's approved template
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# -- the registry ---------------------------------------------------------------------------------

def announce(database: Database) -> tuple[int, int, float]:
    """Queue an announcement to every owner in the province; its id, its recipients and the seconds it took."""
    started = time.perf_counter()
    with database.transaction() as registry:
        announcement_id, reach = registry.announcements.announce(ANNOUNCED, Segment(PROVINCE), PUSH_CHANNELS,
                                                                 "bench")
    return announcement_id, reach.recipients, time.perf_counter() - started


def start_survey(database: Database) -> tuple[int, float]:
    """Start a data update of every business in the province; the owners it was sent to and the seconds it took."""
    started = time.perf_counter()
    with database.transaction() as registry:
        _survey_id, recipients = registry.follow_ups.start_survey(Kind.UPDATE, Segment(PROVINCE), PUSH_CHANNELS,
                                                                  "bench")
    return recipients, time.perf_counter() - started


def forget(database: Database) -> None:
    """Drop every announcement and survey and their rows: the next run starts from an empty outbox."""
    with database.engine.begin() as connection:
        connection.execute(delete(OutboxMessage))
        connection.execute(delete(Announcement))
        connection.execute(delete(FollowUp))
        connection.execute(delete(Survey))


def cancel_unsent(database: Database) -> None:
    """What a run left unsent is not sent by the next one."""
    with database.engine.begin() as connection:
        connection.execute(update(OutboxMessage).where(OutboxMessage.status.in_(WAITING))
                           .values(status=Delivery.CANCELLED, error="bench"))


def sent(database: Database, announcement_id: int) -> int:
    with database.engine.connect() as connection:
        return connection.scalar(select(func.count()).where(OutboxMessage.announcement_id == announcement_id,
                                                            OutboxMessage.status == Delivery.SENT)) or 0


def failed(database: Database, announcement_id: int) -> int:
    with database.engine.connect() as connection:
        return connection.scalar(select(func.count()).where(OutboxMessage.announcement_id == announcement_id,
                                                            OutboxMessage.status == Delivery.FAILED)) or 0


# -- processes ------------------------------------------------------------------------------------

def spawn(argv: list[str], cores: set[int], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """A process pinned to `cores` from its start, its output in `log`."""
    with log.open("w") as output:
        return subprocess.Popen(argv, env={**os.environ, **(env or {})}, stdout=output, stderr=subprocess.STDOUT,
                                text=True, preexec_fn=lambda: os.sched_setaffinity(0, cores))


def stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM, as an operator stops it: a worker puts its unsent rows back."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def printed(log: Path, prefix: str, process: subprocess.Popen[str]) -> dict[str, str]:
    """The KEY=VALUE pairs of the first line starting with `prefix` that the process prints."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if line.startswith(prefix):
                return dict(pair.split("=", 1) for pair in line.split())
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"{log.name}: no {prefix} line:\n{log.read_text()}")


def cpu_seconds(process: subprocess.Popen[str]) -> float:
    """User and system CPU time the process has used so far."""
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@dataclass(frozen=True, slots=True)
class WhatsAppProvider:
    """A WhatsApp provider as the benchmark runs it: its fake's command, its limit, the settings that choose it."""

    name: str  # WHATSAPP_PROVIDER's value
    title: str
    fake: str  # the fake's script in tests/
    arguments: tuple[str, ...]
    printed: str  # what the fake prints first, once it listens, with its base URL
    limit: int  # messages per second: what the provider allows, and the worker's default
    mps_setting: str
    settings: Callable[[str], dict[str, str]]  # from the fake's base URL


WHATSAPP_PROVIDERS = {provider.name: provider for provider in (
    WhatsAppProvider("twilio", "Twilio", "fake_twilio.py", ("--account-sid", TWILIO_SID, "--auth-token", TWILIO_TOKEN),
                     "FAKE_TWILIO_BASE_URL", 10, "TWILIO_MPS", lambda base_url: {
                         "TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
                         "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886", "TWILIO_API_BASE_URL": base_url,
                         "TWILIO_ANNOUNCEMENT_CONTENT_SID": TEMPLATE, "PUBLIC_BASE_URL": "https://tabe.example.id"}),
    WhatsAppProvider("cloud", "Cloud API", "fake_whatsapp_cloud.py", ("--access-token", CLOUD_TOKEN),
                     "FAKE_CLOUD_API_BASE_URL", 80, "WHATSAPP_CLOUD_MPS", lambda base_url: {
                         "WHATSAPP_CLOUD_PHONE_NUMBER_ID": "106540352242922", "WHATSAPP_CLOUD_ACCESS_TOKEN": CLOUD_TOKEN,
                         "WHATSAPP_CLOUD_APP_SECRET": "bench-app-secret", "WHATSAPP_CLOUD_VERIFY_TOKEN": "bench-verify",
                         "WHATSAPP_CLOUD_API_BASE_URL": base_url, "WHATSAPP_CLOUD_TEMPLATE_NAME": CLOUD_TEMPLATE[0],
                         "WHATSAPP_CLOUD_TEMPLATE_LANGUAGE": CLOUD_TEMPLATE[1]}),
)}


@dataclass(frozen=True, slots=True)
class Providers:
    """The fake Bot API and the WhatsApp provider's fake as processes, and the settings that point a worker at
    them."""

    telegram: str  # origin
    whatsapp: str  # origin
    settings: dict[str, str]
    processes: tuple[subprocess.Popen[str], ...]

    def cpu_seconds(self) -> float:
        return sum(map(cpu_seconds, self.processes))

    def stats(self) -> tuple[int, int, int]:
        """Messages the fakes took so far (Telegram, WhatsApp), and the rate-limit errors they answered."""
        telegram, whatsapp = (json.load(urllib.request.urlopen(f"{origin}/_fake/stats", timeout=10))
                              for origin in (self.telegram, self.whatsapp))
        too_many = telegram.get("too_many_requests", 0) + whatsapp.get("too_many_requests", 0)
        return (telegram["calls"].get("sendMessage", 0) - telegram.get("too_many_requests", 0), whatsapp["messages"],
                too_many)


@contextmanager
def providers(cores: set[int], directory: Path, whatsapp: WhatsAppProvider, *,
              enforce_limits: bool) -> Iterator[Providers]:
    enforcing = ["--enforce-limits"] if enforce_limits else []
    telegram_log, whatsapp_log = directory / "fake_telegram.log", directory / f"fake_{whatsapp.name}.log"
    telegram = spawn([sys.executable, str(TESTS / "fake_telegram.py"), "--port", "0", *enforcing], cores, telegram_log)
    fake = spawn([sys.executable, str(TESTS / whatsapp.fake), "--port", "0", *whatsapp.arguments, *enforcing,
                  *(["--mps", str(whatsapp.limit)] if enforce_limits else [])], cores, whatsapp_log)
    try:
        bot_api = printed(telegram_log, "FAKE_TELEGRAM_BASE_URL=", telegram)
        base_url = printed(whatsapp_log, whatsapp.printed + "=", fake)[whatsapp.printed]
        telegram_origin = bot_api["FAKE_TELEGRAM_BASE_URL"].removesuffix("/bot")
        parts = urlsplit(base_url)
        yield Providers(telegram_origin, f"{parts.scheme}://{parts.netloc}", {
            "TELEGRAM_BOT_TOKEN": bot_api["TOKEN"], "TELEGRAM_API_BASE_URL": telegram_origin,
            "WHATSAPP_PROVIDER": whatsapp.name, **whatsapp.settings(base_url)}, (telegram, fake))
    finally:
        stop(telegram)
        stop(fake)


@contextmanager
def workers(url: str, settings: dict[str, str], cores: list[set[int]], directory: Path, whatsapp: WhatsAppProvider,
            limits: tuple[int, int]) -> Iterator[list[subprocess.Popen[str]]]:
    """`tabe worker` processes, one per entry of `cores`, at these Telegram and WhatsApp rates."""
    environment = {**settings, "DATABASE_URL": url, "TELEGRAM_MPS": str(limits[0]),
                   whatsapp.mps_setting: str(limits[1])}
    started = [spawn([str(TABE), "worker"], pinned, directory / f"worker-{number}.log", environment)
               for number, pinned in enumerate(cores, 1)]
    try:
        yield started
    finally:
        for process in started:
            stop(process)


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"waited {timeout} s for {what}")
        time.sleep(0.05)


# -- the measurements -----------------------------------------------------------------------------

def measure_enqueue(database: Database, runs: int) -> str:
    timings = []
    for _ in range(runs):
        _, recipients, seconds = announce(database)
        timings.append(seconds)
        forget(database)
    return (f"enqueue to {recipients:,} owners: {statistics.median(timings):.2f} s median of {runs} "
            f"(min {min(timings):.2f}, max {max(timings):.2f})")


def measure_survey(database: Database, runs: int) -> str:
    surveys, announcements = [], []
    for _ in range(runs):
        recipients, seconds = start_survey(database)
        surveys.append(seconds)
        forget(database)
        _, reached, seconds = announce(database)
        announcements.append(seconds)
        forget(database)
    return (f"survey of {recipients:,} owners: {statistics.median(surveys):.2f} s median of {runs} "
            f"(min {min(surveys):.2f}, max {max(surveys):.2f}); announce to the same segment ({reached:,}): "
            f"{statistics.median(announcements):.2f} s (min {min(announcements):.2f}, max {max(announcements):.2f})")


def measure_unthrottled(url: str, database: Database, worker_cores: list[set[int]], fake_cores: set[int],
                        whatsapp: WhatsAppProvider, args: argparse.Namespace, directory: Path) -> str:
    announcement_id, recipients, _ = announce(database)
    with providers(fake_cores, directory, whatsapp, enforce_limits=False) as fakes, \
            workers(url, fakes.settings, worker_cores, directory, whatsapp, (UNLIMITED, UNLIMITED)) as running:
        wait_until(lambda: sent(database, announcement_id) > 0, "the first message sent")
        time.sleep(args.warmup)
        began, sent_before = time.monotonic(), sent(database, announcement_id)
        cpu_before, fakes_cpu_before = sum(map(cpu_seconds, running)), fakes.cpu_seconds()
        time.sleep(args.seconds)
        took, sent_during = time.monotonic() - began, sent(database, announcement_id) - sent_before
        took_cpu, fakes_cpu = sum(map(cpu_seconds, running)) - cpu_before, fakes.cpu_seconds() - fakes_cpu_before
        stats = fakes.stats()
    lost = failed(database, announcement_id)
    cancel_unsent(database)
    rate = sent_during / took
    return (f"{rate:8,.0f} messages/s, {rate / len(running):,.0f} per worker ({sent_during:,} in {took:.1f} s; "
            f"workers' CPU {100 * took_cpu / took / len(running):.0f}% each, "
            f"{sent_during / took_cpu:,.0f} messages per CPU-second; the two fakes' CPU {100 * fakes_cpu / took:.0f}% "
            f"together); fakes took {stats[0]:,} Telegram + {stats[1]:,} WhatsApp of {recipients:,}; failed: {lost}")


def measure_limits(url: str, database: Database, worker_cores: list[set[int]], fake_cores: set[int],
                   whatsapp: WhatsAppProvider, args: argparse.Namespace, directory: Path) -> str:
    announcement_id, _, _ = announce(database)
    with providers(fake_cores, directory, whatsapp, enforce_limits=True) as fakes, \
            workers(url, fakes.settings, worker_cores, directory, whatsapp, (TELEGRAM_LIMIT, whatsapp.limit)):
        wait_until(lambda: sent(database, announcement_id) > 0, "the first message sent")
        time.sleep(args.warmup)
        began, (telegram_before, whatsapp_before, _) = time.monotonic(), fakes.stats()
        time.sleep(args.limit_seconds)
        telegram_after, whatsapp_after, too_many = fakes.stats()
        took = time.monotonic() - began
    cancel_unsent(database)
    telegram, sent_whatsapp = (telegram_after - telegram_before) / took, (whatsapp_after - whatsapp_before) / took
    return (f"Telegram {telegram:5.2f}/s of {TELEGRAM_LIMIT} ({100 * telegram / TELEGRAM_LIMIT:.1f}%), "
            f"WhatsApp {sent_whatsapp:5.2f}/s of {whatsapp.limit} ({100 * sent_whatsapp / whatsapp.limit:.1f}%) over "
            f"{took:.1f} s; rate-limit errors answered by the fakes: {too_many}")


def measure_backend(label: str, url: str, args: argparse.Namespace, postgresql: bool) -> None:
    """Every part asked for on one registry; each delivery run against fresh fakes and a fresh announcement."""
    cores = sorted(os.sched_getaffinity(0))
    first, last = {cores[0]}, {cores[-1]}
    upgrade(url)
    database = Database(url)
    try:
        began = time.perf_counter()
        seed(database, args.owners)
        print(f"{label}: {args.owners:,} sample owners seeded in {time.perf_counter() - began:.1f} s", flush=True)
        parts = args.parts.split(",")
        if "enqueue" in parts:
            print(f"  {measure_enqueue(database, args.runs)}", flush=True)
        if "survey" in parts:
            print(f"  {measure_survey(database, args.runs)}", flush=True)
        layouts = [("1 worker", [first])] + ([("2 workers", [first, last])] if postgresql else [])
        for part, measure in (("unthrottled", measure_unthrottled), ("limits", measure_limits)):
            if part not in parts:
                continue
            for whatsapp in (WHATSAPP_PROVIDERS[name] for name in args.whatsapp.split(",")):
                for name, worker_cores in layouts:
                    with tempfile.TemporaryDirectory(prefix=f"tabe-bench-{part}-") as directory:
                        outcome = measure(url, database, worker_cores, last, whatsapp, args, Path(directory))
                    print(f"  {part}, WhatsApp through {whatsapp.title}, {name}: {outcome}", flush=True)
    finally:
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--owners", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="enqueue and survey timings")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of sending before a window opens")
    parser.add_argument("--seconds", type=float, default=15.0, help="the unthrottled window")
    parser.add_argument("--limit-seconds", type=float, default=30.0, help="the window under the real limits")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--parts", default="enqueue,survey,unthrottled,limits",
                        help="which measurements, comma-separated")
    parser.add_argument("--whatsapp", default=",".join(WHATSAPP_PROVIDERS),
                        help="the WhatsApp providers to send through, one after the other: twilio, cloud or both")
    args = parser.parse_args()
    if set(args.whatsapp.split(",")) - set(WHATSAPP_PROVIDERS):
        parser.error(f"unknown WhatsApp providers in {args.whatsapp!r}")
    cores = sorted(os.sched_getaffinity(0))
    print(f"{len(cores)} cores: one worker on core {cores[0]}, the fakes and PostgreSQL on core {cores[-1]}; "
          f"two workers: one on each")
    for backend in args.backends.split(","):
        with ExitStack() as stack:
            if backend == "sqlite":
                directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="tabe-bench-"))
                measure_backend("SQLite (a file, WAL)", f"sqlite:///{directory}/registry.sqlite3", args, False)
            elif backend == "postgresql":
                bin_dir = postgres_bin()
                if bin_dir is None:
                    print("PostgreSQL: skipped, no postgres binary on this machine")
                    continue
                url = stack.enter_context(postgres(bin_dir, {cores[-1]}))
                measure_backend(f"PostgreSQL {bin_dir.parent.name} (server on core {cores[-1]})", url, args, True)
            else:
                parser.error(f"unknown backend {backend!r}")


if __name__ == "__main__":
    main()
