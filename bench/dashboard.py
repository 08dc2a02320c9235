"""The officers' dashboard at provincial scale: its pages and a full export, with 100,000 owners, 10,000
owners' questions, and 300,000 dated figures of their businesses.

The registry holds --owners sample owners (`tabe db seed`'s generator: one business each, about a
third of them self-assessed once or twice). `tabe serve` runs as its own process on the first core,
configured by DATABASE_URL alone; this script, the client, logs in as a provincial officer through a
one-time link, as a browser does (the link's button is a POST; the session is a cookie), over HTTP
on loopback from the last core. Then, each after --warmup requests that are not counted:

- the overview, GET /admin/, --requests times: median and p90 of the time to the whole answer;
- a filtered registrations page (kuliner, mikro, without NIB, page 3, sorted by name), likewise;
- the questions inbox (GET /admin/questions: the open ones, the longest waiting first), one question's page
  with its thread and the owner's businesses, and the inventory of problems (GET /admin/problems), likewise,
  over --questions questions (issue 15's target: under 200 ms at the median) of random owners, kabupaten,
  topics and states, each with the owner's words and, for the answered ones, a reply, and as many own questions
  the bot was asked, a fifth of them not found;
- "naik kelas", measured (GET /admin/progress: the last 12 months, the province), likewise (issue 16's target:
  under 200 ms at the median), over FIGURES_PER_BUSINESS dated figures per business on average (its
  registration's and updates at random moments since, each a little up or down: some businesses move class,
  some back) and SESSIONS_PER_KABUPATEN training sessions in each kabupaten/kota over the sample's months,
  each attended by ATTENDED_PER_SESSION of its owners (and ABSENT_PER_SESSION absent): about one owner in ten;
- the full XLSX export of every registration (GET /admin/registrations.xlsx, NIK masked), --exports
  times: rows/s from the first byte asked to the last received, with the rows the export record
  says it wrote; and the server's peak resident memory during each export (VmHWM of
  /proc/<pid>/status, reset through /proc/<pid>/clear_refs just before), next to its resident
  memory before. The same for the CSV export, for comparison.

Every answer is checked (status 200, the page or the file it should be; the export record must say
complete with every row), so a broken path cannot be measured. On SQLite in a temporary file (WAL)
and, when PostgreSQL's binaries are on the machine, on a throwaway PostgreSQL server (fsync on,
started as bench/programmes.py starts one) on the last core.

Run: `make bench`, or `.venv/bin/python bench/dashboard.py [--owners 100000] [--requests 30] [--exports 3]
[--warmup 3] [--questions 10000] [--backends sqlite,postgresql]`.
"""

import argparse
import os
import random
import socket
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta, timezone
from pathlib import Path

import httpx
from broadcast import TABE, spawn, stop
from programmes import postgres, postgres_bin
from sqlalchemy import bindparam, insert, select, text, update

from bot.sample import SAMPLE_MONTHS, seed
from domain.classes import classify_monthly
from domain.regions import kabupaten_list
from domain.topics import TOPICS
from store.db import Database
from store.knowledge import shipped_entries
from store.migrate import upgrade
from store.models import (
    AskedQuestion,
    Business,
    BusinessFigure,
    Enrollment,
    Owner,
    OwnerQuestion,
    Programme,
    QuestionMessage,
    TrainingSession,
    as_utc,
    utcnow,
)
from store.officers import PROVINCE

FILTERED = "/admin/registrations?sector=kuliner&business_class=mikro&has_nib=no&page=3&sort=name&order=asc"
PAGES = (("overview", "/admin/", 'id="officer"'), ("filtered registrations", FILTERED, 'data-page="3"'),
         ("questions inbox", "/admin/questions", 'id="questions"'),
         ("one question", "/admin/questions/5000", 'id="thread"'),
         ("inventory of problems", "/admin/problems", 'id="officer"'),
         ("progress", "/admin/progress", 'id="path"'))
EXPORTS = (("XLSX", "/admin/registrations.xlsx", b"PK\x03\x04"), ("CSV", "/admin/registrations.csv", b"\xef\xbb\xbf"))
KILOBYTE = 1024
# The history "naik kelas" is measured from: dated figures beside each business's registration row (300,000 in
# all for 100,000 businesses), each a turnover and capital a little up or down from the one before; and training
# sessions over the sample's months, each attended by owners of its kabupaten/kota (about one owner in ten).
FIGURES_PER_BUSINESS = 3
SESSIONS_PER_KABUPATEN = 20
ATTENDED_PER_SESSION = 35
ABSENT_PER_SESSION = 5


# -- the server -----------------------------------------------------------------------------------

def memory(pid: int) -> dict[str, float]:
    """The process's resident memory now (VmRSS) and at its peak (VmHWM), in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {name: int(fields[name].split()[0]) / KILOBYTE for name in ("VmRSS", "VmHWM")}


def reset_peak(pid: int) -> bool:
    """Start the process's peak memory again from what it holds now (Linux 4.0 and later); False where refused."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@contextmanager
def serving(url: str, core: set[int], directory: Path) -> Iterator[tuple[str, int]]:
    """`tabe serve` on this registry, pinned to `core`; yields its address and pid once /healthz answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = directory / "serve.log"
    process = spawn([str(TABE), "serve", "--port", str(port)], core, log, {"DATABASE_URL": url})
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not healthy(address):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"tabe serve did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield address, process.pid
    finally:
        stop(process)


def healthy(address: str) -> bool:
    try:
        return httpx.get(address + "/healthz").status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def logged_in(database: Database, address: str) -> Iterator[httpx.Client]:
    """A client holding a provincial officer's session, opened with a one-time link's button."""
    with database.transaction() as registry:
        officer_id = registry.officers.add("Bench Officer", None, "bench-officer", PROVINCE, actor="bench")
        link = f"/admin/login/{registry.logins.new_link(officer_id)}"
    with httpx.Client(base_url=address, timeout=300) as client:
        used = client.post(link)
        if used.status_code != 303:
            raise RuntimeError(f"the login link was refused: {used.status_code}")
        yield client


# -- the measurements -----------------------------------------------------------------------------

def timed(request: Callable[[], None], times: int) -> list[float]:
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        request()
        durations.append(time.perf_counter() - started)
    return durations


def page_request(client: httpx.Client, path: str, marker: str) -> Callable[[], None]:
    def request() -> None:
        answer = client.get(path)
        if answer.status_code != 200 or marker not in answer.text:
            raise RuntimeError(f"GET {path}: {answer.status_code}, not the page expected:\n{answer.text[:2000]}")
    return request


def measure_pages(client: httpx.Client, args: argparse.Namespace) -> None:
    for label, path, marker in PAGES:
        request = page_request(client, path, marker)
        timed(request, args.warmup)
        durations = sorted(duration * 1000 for duration in timed(request, args.requests))
        p90 = statistics.quantiles(durations, n=10, method="inclusive")[8]
        print(f"  {label:<24} median {statistics.median(durations):7.1f} ms, p90 {p90:7.1f} ms, "
              f"max {durations[-1]:7.1f} ms ({args.requests} requests)", flush=True)


def download(client: httpx.Client, path: str, signature: bytes) -> tuple[float, int]:
    """The whole file, read as it comes and thrown away: seconds and bytes."""
    size = 0
    started = time.perf_counter()
    with client.stream("GET", path) as answer:
        if answer.status_code != 200:
            raise RuntimeError(f"GET {path}: {answer.status_code}")
        for chunk in answer.iter_bytes():
            if size == 0 and not chunk.startswith(signature):
                raise RuntimeError(f"GET {path}: not the file expected: {chunk[:100]!r}")
            size += len(chunk)
    return time.perf_counter() - started, size


def recorded_rows(database: Database) -> int:
    """The rows the latest export record says it wrote, which must have reached the end."""
    with database.reading() as registry:
        (latest,) = registry.exports.recent(PROVINCE, 1)
    if latest.finished_at is None:
        raise RuntimeError(f"export {latest.id} is recorded as broken off after {latest.rows:,} rows")
    return latest.rows


def measure_exports(client: httpx.Client, database: Database, pid: int, args: argparse.Namespace) -> None:
    for label, path, signature in EXPORTS:
        runs = []
        for _ in range(args.exports):
            before = memory(pid)["VmRSS"]
            peak_known = reset_peak(pid)
            seconds, size = download(client, path, signature)
            rows = recorded_rows(database)
            if rows != args.owners:
                raise RuntimeError(f"{label}: {rows:,} rows recorded, {args.owners:,} expected")
            runs.append((rows / seconds, seconds, size, before, memory(pid)["VmHWM"]))
        rates = sorted(run[0] for run in runs)
        peak_label = "peak during the export" if peak_known else "peak since the server started"
        print(f"  {label} export of {args.owners:,} rows: {statistics.median(rates):,.0f} rows/s median of "
              f"{args.exports} (min {rates[0]:,.0f}, max {rates[-1]:,.0f}); {runs[-1][2] / KILOBYTE ** 2:.1f} MB file; "
              f"server resident before {max(run[3] for run in runs):.0f} MB, {peak_label} "
              f"{max(run[4] for run in runs):.0f} MB", flush=True)


def seed_questions(database: Database, count: int) -> None:
    """`count` questions of random owners, each with the owner's words (and a reply when answered), over the past
    year, and as many own questions the bot was asked; the shipped knowledge base."""
    chance = random.Random(15)
    now = utcnow()
    with database.transaction() as registry:
        registry.knowledge.ship(shipped_entries())
        officer_id = registry.officers.add("Penjawab", None, "tg-bench-answers", PROVINCE, actor="bench")
    with database.engine.begin() as connection:
        owners = list(connection.scalars(select(Owner.id)))
        places = [place.code for place in kabupaten_list()]
        questions, messages, asked = [], [], []
        for number in range(1, count + 1):
            created = now - timedelta(hours=chance.randrange(24 * 365))
            status = chance.choice(("open", "answered", "closed"))
            answered = created + timedelta(hours=chance.randrange(1, 96)) if status != "open" else None
            questions.append({"id": number, "owner_id": chance.choice(owners), "kabupaten_code": chance.choice(places),
                              "topic": chance.choice(list(TOPICS)), "status": status, "created_at": created,
                              "active_at": answered or created, "answered_at": answered,
                              "closed_at": answered if status == "closed" else None,
                              "rating": chance.randint(1, 5) if answered and chance.random() < 0.5 else None})
            messages.append({"question_id": number, "officer_id": None, "at": created,
                             "text": f"Bagaimana cara mengurus izin usaha nomor {number}?"})
            if answered:
                messages.append({"question_id": number, "officer_id": officer_id, "at": answered,
                                 "text": "Silakan datang ke kantor Dinas.", "shown_at": answered})
            asked.append({"owner_id": questions[-1]["owner_id"], "kabupaten_code": questions[-1]["kabupaten_code"],
                          "text": f"harga bibit sawit {number % 50} berapa?", "asked_at": created,
                          "outcome": "not_found" if number % 5 == 0 else "helped"})
        connection.execute(insert(OwnerQuestion), questions)
        connection.execute(insert(QuestionMessage), [{"shown_at": None, **message} for message in messages])
        connection.execute(insert(AskedQuestion), asked)


def seed_progress(database: Database) -> tuple[int, int]:
    """FIGURES_PER_BUSINESS - 1 dated updates of each business's figures on average, at random moments after
    it registered, its row left at the latest; and the training sessions its owners attended. The figures and
    attended places written."""
    chance = random.Random(16)
    now = utcnow()
    businesses = Business.__table__
    with database.engine.begin() as connection:
        rows = connection.execute(select(businesses.c.id, businesses.c.owner_id, businesses.c.kabupaten_code,
                                         businesses.c.registered_at, businesses.c.modal_usaha,
                                         businesses.c.monthly_turnover, businesses.c.workers)).all()
        updates: dict[int, list[float]] = {}  # a business's row -> where its updates fall between registering and now
        for _ in range(len(rows) * (FIGURES_PER_BUSINESS - 1)):
            updates.setdefault(chance.randrange(len(rows)), []).append(chance.random())
        figures, latest = [], []
        for index, shares in updates.items():
            business = rows[index]
            registered = as_utc(business.registered_at)
            modal, monthly, workers = business.modal_usaha, business.monthly_turnover, business.workers
            previous = classify_monthly(modal, monthly)[0].value
            for share in sorted(shares):
                modal = max(1_000_000, round(modal * chance.uniform(0.8, 1.6)))
                monthly = max(500_000, round(monthly * chance.uniform(0.7, 1.7)))
                workers = max(1, workers + chance.choice((-1, 0, 0, 1)))
                business_class, annual = classify_monthly(modal, monthly)
                figures.append({"business_id": business.id, "recorded_at": registered + (now - registered) * share,
                                "source": "update", "modal_usaha": modal, "monthly_turnover": monthly,
                                "annual_turnover": annual, "workers": workers,
                                "business_class": business_class.value, "previous_class": previous})
                previous = business_class.value
            latest.append({"business": business.id, **{key: figures[-1][key] for key in (
                "modal_usaha", "monthly_turnover", "annual_turnover", "workers", "business_class")}})
        connection.execute(insert(BusinessFigure), figures)
        connection.execute(update(businesses).where(businesses.c.id == bindparam("business")), latest)
        owners_by_place: dict[str, list[int]] = {}
        for business in rows:
            owners_by_place.setdefault(business.kabupaten_code, []).append(business.owner_id)
        programme_id = connection.execute(insert(Programme).values(
            code="bench-pembukuan", name="Pembukuan Sederhana", description="", organiser="Dinas",
            dimensions="keuangan")).inserted_primary_key[0]
        first, span = SAMPLE_MONTHS[0].astimezone(timezone.utc), now - SAMPLE_MONTHS[0].astimezone(timezone.utc)
        places = []
        for code, owners in owners_by_place.items():
            for number in range(SESSIONS_PER_KABUPATEN):
                starts = first + span * chance.random()
                session_id = connection.execute(insert(TrainingSession).values(
                    programme_id=programme_id, code=f"{code}-{number}", starts_at=starts,
                    ends_at=starts + timedelta(hours=6), place="Aula Dinas", kabupaten_code=code,
                    capacity=ATTENDED_PER_SESSION + ABSENT_PER_SESSION,
                    signup_deadline=starts - timedelta(days=1))).inserted_primary_key[0]
                chosen = chance.sample(owners, min(len(owners), ATTENDED_PER_SESSION + ABSENT_PER_SESSION))
                places += [{"session_id": session_id, "owner_id": owner_id,
                            "status": "attended" if seat < ATTENDED_PER_SESSION else "absent",
                            "since": starts - timedelta(days=7)} for seat, owner_id in enumerate(chosen)]
        connection.execute(insert(Enrollment), places)
        if connection.dialect.name == "postgresql":
            connection.execute(text("ANALYZE businesses, business_figures, training_sessions, enrollments"))
    return len(rows) + len(figures), sum(place["status"] == "attended" for place in places)


def measure_backend(label: str, url: str, server_core: set[int], args: argparse.Namespace) -> None:
    upgrade(url)
    database = Database(url)
    try:
        began = time.perf_counter()
        seed(database, args.owners)
        print(f"{label}: {args.owners:,} sample owners seeded in {time.perf_counter() - began:.1f} s", flush=True)
        began = time.perf_counter()
        seed_questions(database, args.questions)
        print(f"  {args.questions:,} questions seeded in {time.perf_counter() - began:.1f} s", flush=True)
        began = time.perf_counter()
        figures, attended = seed_progress(database)
        print(f"  {figures:,} dated figures and {attended:,} attended places seeded in "
              f"{time.perf_counter() - began:.1f} s", flush=True)
        with tempfile.TemporaryDirectory(prefix="tabe-bench-dashboard-") as directory, \
                serving(url, server_core, Path(directory)) as (address, pid):
            print(f"  server resident after starting: {memory(pid)['VmRSS']:.0f} MB", flush=True)
            with logged_in(database, address) as client:
                measure_pages(client, args)
                measure_exports(client, database, pid, args)
    finally:
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--owners", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests of each page")
    parser.add_argument("--exports", type=int, default=3, help="timed downloads of each format")
    parser.add_argument("--warmup", type=int, default=3, help="requests of each page before the timed ones")
    parser.add_argument("--questions", type=int, default=10_000, help="owners' questions to the officers")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite, postgresql or both")
    args = parser.parse_args()
    cores = sorted(os.sched_getaffinity(0))
    server_core, client_core = {cores[0]}, {cores[-1]}
    os.sched_setaffinity(0, client_core)  # the client keeps off the server's core
    print(f"`tabe serve` on core {cores[0]}; this client and PostgreSQL on core {cores[-1]}")
    for backend in args.backends.split(","):
        with ExitStack() as stack:
            if backend == "sqlite":
                directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="tabe-bench-"))
                measure_backend("SQLite (a file, WAL)", f"sqlite:///{directory}/registry.sqlite3", server_core, args)
            elif backend == "postgresql":
                bin_dir = postgres_bin()
                if bin_dir is None:
                    print("PostgreSQL: skipped, no postgres binary on this machine")
                    continue
                url = stack.enter_context(postgres(bin_dir, client_core))
                measure_backend(f"PostgreSQL {bin_dir.parent.name} (server on core {cores[-1]})", url, server_core,
                                args)
            else:
                parser.error(f"unknown backend {backend!r}")


if __name__ == "__main__":
    main()
