"""How long one programme-list message and one sign-up message take at provincial scale.

The registry holds --owners registered owners (one business each, seeded by `tabe db seed`'s
generator), --programmes programmes and --sessions sessions imported through the import path
(`Training.import_programmes`), and, unless --no-enrolments, seats already taken in those sessions
by other owners. Then --samples different owners, picked at random, each with a chat linked to
them and at the main menu, send through `Conversations.handle` (the path every channel takes,
each message its own committed transaction) the messages of signing up:

- "program": the first page of the programmes open to the owner (the list),
- "1": the first programme's details and sessions (the detail),
- "1": its first session shown and asked about ("Daftar di sesi ini?"), or, when that session is
  full, the offer of its waiting list (the choice),
- "ya", when asked: the seat (the sign-up).

Seats already taken: each session from empty to full (a sixth of them full, each of those with
up to 8 owners waiting), by owners other than the sample owners, at most one place per owner and
programme; about 94,000 places in all. The sample owners answer as the issue describes: "1" and
"1"; with --spread each picks one of the programmes shown and one of the first three sessions.

Every reply is checked: the list must be a list, the detail must show sessions, the choice must ask
about the seat or offer the waiting list, and the sign-up must say the owner is registered; anything
else stops the benchmark, so a broken path cannot be measured. The clock is fixed (2026-11-27 02:00 UTC) and every session lies
ahead of it, spread over the next six months and the 14 kabupaten.

The messages are timed in a fresh process pinned to one core, after a warm-up of 50 owners and a
`gc.freeze()` (as `tabe serve` does), on SQLite in a temporary file and, when PostgreSQL's binaries
are on the machine, on a throwaway PostgreSQL server (fsync on) pinned to the other core(s).
--profile N runs cProfile afterwards over N more owners' list and sign-up messages.

Run: `make bench`, or `.venv/bin/python bench/programmes.py [--owners 100000] [--programmes 500]
[--sessions 5000] [--samples 1000] [--backends sqlite,postgresql] [--no-enrolments] [--spread] [--profile N]`.
"""

import argparse
import cProfile
import gc
import glob
import multiprocessing
import os
import pstats
import queue
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from bot.sample import seed
from domain.assessment import Dimension
from domain.classes import UMKM_CLASSES
from domain.regions import kabupaten_list
from domain.sectors import SECTORS
from flows.conversation import Conversations
from flows.messages import Inbound, Reply
from store.db import Database
from store.migrate import upgrade
from store.models import Enrollment, TrainingSession
from store.training import ProgrammeRecord, SessionRecord, Status

CLOCK = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 09:00 WIB; every session starts after it
CHANNEL = "bench"
WARMUP = 50
SEED = 62

# What the replies must say (Bahasa Indonesia), so that only the working path is timed.
LISTED = "Pelatihan yang terbuka untuk usaha Anda"
DETAILED = "Sesi:"
REGISTERED = "Anda terdaftar di"
SIGN_UP_ASKED = "Daftar di sesi ini?"
WAITLIST_OFFERED = "Sesi ini sudah penuh. Masuk daftar tunggu?"

TOPICS = (
    ("Gerakan Serbu NIB", (Dimension.LEGALITAS,)),
    ("Sertifikasi Halal Gratis", (Dimension.LEGALITAS, Dimension.PRODUK)),
    ("Pembukuan Sederhana", (Dimension.KEUANGAN,)),
    ("Akses Kredit Usaha Rakyat", (Dimension.KEUANGAN, Dimension.LEGALITAS)),
    ("Pemasaran Digital dan QRIS", (Dimension.DIGITAL, Dimension.PASAR)),
    ("Jualan di Marketplace", (Dimension.DIGITAL, Dimension.PASAR)),
    ("Kemasan dan Label Produk", (Dimension.PRODUK, Dimension.PASAR)),
    ("Foto Produk dengan Ponsel", (Dimension.DIGITAL, Dimension.PRODUK)),
    ("Manajemen Karyawan", (Dimension.SDM,)),
    ("Pelayanan Pelanggan", (Dimension.SDM, Dimension.PASAR)),
    ("Kurasi Produk Ekspor", (Dimension.PRODUK, Dimension.PASAR, Dimension.LEGALITAS)),
    ("Menggali Ide Bisnis", (Dimension.SDM, Dimension.KEUANGAN)),
)
ORGANISERS = ("Dinas Koperasi dan UKM Provinsi Kalimantan Tengah", "UPT Balai Pelatihan KUKM Provinsi Kalimantan Tengah",
              "Dinas Koperasi, UKM dan Perdagangan Kabupaten", "Rumah BUMN Palangka Raya")
CLASSES = tuple(UMKM_CLASSES)


# -- the registry ------------------------------------------------------------------------------

def programme_mix(rng: random.Random, programmes: int, sessions: int) -> tuple[list[ProgrammeRecord],
                                                                               list[SessionRecord]]:
    """Programmes and their sessions as an officer's import file would give them.

    About 60% are open to every kabupaten, the rest to one to three; about a quarter are for some
    classes only and about a third for some sectors only. A programme's sessions are in the
    kabupaten it is for (spread over all 14 when it is for every one), on dates over the six months
    after CLOCK, 25 to 40 seats each, sign-up closing the day before.
    """
    kabupaten = [region.code for region in kabupaten_list()]
    sectors = [sector.key for sector in SECTORS]
    records, session_records = [], []
    per_programme = [sessions // programmes + (index < sessions % programmes) for index in range(programmes)]
    for index in range(programmes):
        topic, dimensions = TOPICS[index % len(TOPICS)]
        code = f"bench-{index:04d}"
        places = () if rng.random() < 0.6 else tuple(sorted(rng.sample(kabupaten, rng.randint(1, 3))))
        classes = tuple(sorted(rng.sample(CLASSES, rng.randint(1, 2)))) if rng.random() < 0.25 else ()
        for_sectors = tuple(sorted(rng.sample(sectors, rng.randint(1, 3)))) if rng.random() < 0.35 else ()
        records.append(ProgrammeRecord(
            code=code, name=f"{topic} {2027 + index // 250} angkatan {index % 250 + 1}",
            description=f"Pelatihan {topic.lower()} bagi pelaku UMKM Kalimantan Tengah: materi, praktik dan "
                        "pendampingan sesudahnya. Gratis, makan siang disediakan.",
            organiser=rng.choice(ORGANISERS), dimensions=tuple(dimension.value for dimension in dimensions),
            kabupaten_codes=places, business_classes=classes, sectors=for_sectors))
        for number in range(per_programme[index]):
            where = rng.choice(places or kabupaten)
            day = CLOCK + timedelta(days=rng.randint(2, 182))  # 02:00 UTC: 09:00 WIB
            days = rng.choice((0, 0, 1, 2))
            session_records.append(SessionRecord(
                programme_code=code, code=f"s{number + 1}", starts_at=day,
                ends_at=day + timedelta(days=days, hours=6), place=f"Aula Pelatihan {number + 1}",
                kabupaten_code=where, capacity=rng.randint(25, 40), signup_deadline=day - timedelta(days=1)))
    return records, session_records


def take_seats(database: Database, rng: random.Random, owners: list[int]) -> tuple[int, int]:
    """Seats already taken by `owners`: each session from empty to full, a full one with a short waiting list.

    An owner holds at most one place per programme, as sign-up allows. Returns (registered, waitlisted).
    """
    sessions = TrainingSession.__table__
    with database.engine.connect() as connection:
        rows = connection.execute(select(sessions.c.id, sessions.c.programme_id, sessions.c.capacity)
                                  .order_by(sessions.c.id)).all()
    by_programme: dict[int, list[tuple[int, int]]] = {}
    for session_id, programme_id, capacity in rows:
        by_programme.setdefault(programme_id, []).append((session_id, capacity))
    places = []
    for programme_sessions in by_programme.values():
        wanted = []
        for session_id, capacity in programme_sessions:
            taken = min(capacity, round(capacity * rng.uniform(0, 1.2)))
            waiting = rng.randrange(0, 9) if taken == capacity else 0
            wanted.append((session_id, taken, waiting))
        who = iter(rng.sample(owners, sum(taken + waiting for _id, taken, waiting in wanted)))
        for session_id, taken, waiting in wanted:
            for seat in range(taken + waiting):
                places.append({"session_id": session_id, "owner_id": next(who),
                               "status": Status.REGISTERED if seat < taken else Status.WAITLISTED,
                               "since": CLOCK - timedelta(days=rng.randint(1, 60), seconds=rng.randrange(86_400))})
    if places:
        with database.engine.begin() as connection:
            connection.execute(insert(Enrollment.__table__), places)
    registered = sum(place["status"] == Status.REGISTERED for place in places)
    return registered, len(places) - registered


def build(url: str, args: argparse.Namespace) -> tuple[list[int], str]:
    """Migrate, seed and fill the registry; link a chat to each sample owner. Returns them and a summary."""
    upgrade(url)
    database = Database(url)
    rng = random.Random(SEED)
    started = time.perf_counter()
    seed(database, args.owners)
    seeded = time.perf_counter()
    programmes, sessions = programme_mix(rng, args.programmes, args.sessions)
    with database.transaction(CLOCK) as registry:
        counts = registry.training.import_programmes(programmes, sessions)
    assert counts.programmes.created == args.programmes and counts.sessions.created == args.sessions, counts
    imported = time.perf_counter()
    everyone = list(range(1, args.owners + 1))
    rng.shuffle(everyone)
    samples = everyone[:WARMUP + args.samples + args.profile]
    registered = waitlisted = 0
    if not args.no_enrolments:
        registered, waitlisted = take_seats(database, rng, everyone[len(samples):])
    with database.transaction(CLOCK) as registry:
        for owner in samples:
            chat = registry.open_conversation(CHANNEL, f"owner-{owner}")
            chat.owner_id, chat.language = owner, "id"
            registry.save_conversation(chat)
    with database.engine.connect() as connection:
        seats = connection.scalar(select(func.coalesce(func.sum(TrainingSession.__table__.c.capacity), 0)))
    database.dispose()
    summary = (f"seeded {args.owners:,} owners in {seeded - started:.1f} s, imported {args.programmes:,} programmes "
               f"and {args.sessions:,} sessions ({seats:,} seats) in {imported - seeded:.1f} s; "
               f"{registered:,} seats taken and {waitlisted:,} waiting beforehand")
    return samples, summary


# -- the measurement ---------------------------------------------------------------------------

class Unexpected(Exception):
    """A reply that is not what the path under test answers: the measurement is void."""


def send(conversations: Conversations, owner: int, step: str, text: str) -> tuple[float, str, int]:
    """One message from the owner's chat: its duration in seconds, the replies' text, and how many numbered choices."""
    inbound = Inbound(CHANNEL, f"owner-{owner}", f"owner-{owner}:{step}", text)
    started = time.perf_counter()
    replies: list[Reply] = conversations.handle(inbound)
    elapsed = time.perf_counter() - started
    numbered = sum(choice.number is not None for reply in replies for choice in reply.choices)
    return elapsed, "\n".join(reply.text for reply in replies), numbered


def expect(said: str, owner: int, message: str, *wanted: str) -> str:
    for words in wanted:
        if words in said:
            return words
    raise Unexpected(f"owner {owner}, {message!r}: expected one of {wanted}, got:\n{said}")


Timing = tuple[float, float, float, float | None, str]  # list, detail, choice, sign-up (when asked), the choice's outcome


def sign_up(conversations: Conversations, owner: int, choose: random.Random | None) -> Timing:
    """The messages of one owner: list, detail, choice and, when asked, sign-up; their durations and what the choice
    came to.

    The owner picks the first programme and its first session, or with `choose` one of the programmes
    shown and one of the first three sessions (those in the owner's kabupaten come first).
    """
    listed, said, shown = send(conversations, owner, "list", "program")
    expect(said, owner, "program (list)", LISTED)
    programme = choose.randint(1, shown) if choose else 1
    detailed, said, shown = send(conversations, owner, "detail", str(programme))
    expect(said, owner, f"{programme} (detail)", DETAILED)
    session = choose.randint(1, min(shown, 3)) if choose else 1
    chosen, said, _shown = send(conversations, owner, "choice", str(session))
    outcome = expect(said, owner, f"{session} (choice)", SIGN_UP_ASKED, WAITLIST_OFFERED)
    if outcome != SIGN_UP_ASKED:
        return listed, detailed, chosen, None, outcome
    signed, said, _shown = send(conversations, owner, "sign-up", "ya")
    expect(said, owner, "ya (sign-up)", REGISTERED)
    return listed, detailed, chosen, signed, outcome


def measure(url: str, owners: list[int], samples: int, profile: int, spread: bool,
            results: multiprocessing.Queue) -> None:
    """In a fresh process on one core: the messages of each sample owner, timed."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    database = Database(url)
    conversations = Conversations(database, lambda: CLOCK)
    choose = random.Random(SEED) if spread else None
    for owner in owners[:WARMUP]:  # imports, caches, the first pages of the file
        sign_up(conversations, owner, choose)
    gc.collect()
    gc.freeze()  # as `tabe serve` does once loaded
    timings = [sign_up(conversations, owner, choose) for owner in owners[WARMUP:WARMUP + samples]]
    profiles = profile_messages(conversations, owners[WARMUP + samples:WARMUP + samples + profile]) if profile else {}
    database.dispose()
    results.put((timings, profiles))


def profile_messages(conversations: Conversations, owners: list[int]) -> dict[str, str]:
    """cProfile of these owners' list messages and, separately, of their sign-up messages."""
    profilers = {"list": cProfile.Profile(), "sign-up": cProfile.Profile()}
    steps = (("list", "program", (LISTED,)), ("detail", "1", (DETAILED,)),
             ("choice", "1", (SIGN_UP_ASKED, WAITLIST_OFFERED)), ("sign-up", "ya", (REGISTERED,)))
    for owner in owners:
        for step, text, wanted in steps:
            profiler = profilers.get(step)
            if profiler is not None:
                profiler.enable()
            _elapsed, said, _shown = send(conversations, owner, step, text)
            if profiler is not None:
                profiler.disable()
            if expect(said, owner, f"{text} ({step})", *wanted) == WAITLIST_OFFERED:
                break  # nothing to say "ya" to: a full session's offer is left unanswered
    return {kind: summarise(profiler, len(owners)) for kind, profiler in profilers.items()}


def summarise(profiler: cProfile.Profile, messages: int) -> str:
    """The costliest functions per message, by their own time and by time including callees."""
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = [(inner, cumulative, calls, function) for function, (_primitive, calls, inner, cumulative, _callers)
            in stats.stats.items()]  # type: ignore[attr-defined]
    lines = [f"  {total / messages * 1000:.2f} ms per message under the profiler ({messages} messages)"]
    for title, key in (("own time", 0), ("including callees", 1)):
        lines.append(f"  top by {title}: ms/message, calls/message, function")
        for row in sorted(rows, key=lambda row: row[key], reverse=True)[:14]:
            filename, line, name = row[3]
            where = f"{Path(filename).parent.name}/{Path(filename).name}:{line}" if line else filename
            lines.append(f"    {row[key] / messages * 1000:7.3f} {row[2] / messages:7.1f}  {name} ({where})")
    return "\n".join(lines)


def run(url: str, samples: list[int], args: argparse.Namespace) -> tuple[list[Timing], dict[str, str]]:
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue = context.Queue()
    process = context.Process(target=measure, args=(url, samples, args.samples, args.profile, args.spread, results))
    process.start()
    while True:
        try:
            found = results.get(timeout=1)
            break
        except queue.Empty:  # still measuring, unless the process died
            if not process.is_alive() and results.empty():
                raise RuntimeError(f"the measurement failed (exit code {process.exitcode}); see above") from None
    process.join()
    return found


def report(backend: str, timings: list[Timing], spread: bool) -> None:
    print(f"{backend}: {len(timings):,} owners, one message each of")
    print(f"  {'message':<38} {'median ms':>9} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    number = "a number" if spread else '"1"'
    rows = [('list ("program")', 0, timings), (f"detail ({number})", 1, timings), (f"choice ({number})", 2, timings)]
    for outcome, label in ((SIGN_UP_ASKED, "asked to sign up"), (WAITLIST_OFFERED, "waiting list offered")):
        those = [timing for timing in timings if timing[4] == outcome]
        rows.append((f"  of which {label}: {len(those):,}", 2, those))
    rows.append(('sign-up ("ya", when asked)', 3, [timing for timing in timings if timing[3] is not None]))
    for label, index, these in rows:
        if len(these) < 2:
            print(f"  {label:<38} {'(too few to tell)':>9}")
            continue
        durations = sorted(timing[index] * 1000 for timing in these)
        cuts = statistics.quantiles(durations, n=100, method="inclusive")
        print(f"  {label:<38} {statistics.median(durations):9.2f} {cuts[89]:8.2f} {cuts[98]:8.2f} "
              f"{durations[-1]:8.2f}")


# -- PostgreSQL ---------------------------------------------------------------------------------

def postgres_bin() -> Path | None:
    found = shutil.which("postgres")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(candidates[-1]).parent if candidates else None


@contextmanager
def postgres(bin_dir: Path, cores: set[int]) -> Iterator[str]:
    """A throwaway PostgreSQL server on these cores (as tests/conftest.py starts one); yields its URL."""
    data = Path(tempfile.mkdtemp(prefix="tabe-bench-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(data, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subprocess.run([*as_postgres, str(bin_dir / "initdb"), "-D", str(data / "db"), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    # fsync stays on (unlike the tests): each commit waits for the disk, as in production.
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c max_connections=20"
    subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-o", options,
                    "-l", str(data / "log"), "-w", "start"], check=True, capture_output=True,
                   preexec_fn=lambda: os.sched_setaffinity(0, cores))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--owners", type=int, default=100_000, help="registered owners, one business each")
    parser.add_argument("--programmes", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=5_000)
    parser.add_argument("--samples", type=int, default=1_000, help="owners timed, each sending the three messages")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--no-enrolments", action="store_true", help="start with every seat free")
    parser.add_argument("--spread", action="store_true",
                        help="each owner picks one of the programmes shown and one of its first three sessions, "
                             "not the first of each")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="afterwards, cProfile N more owners' list and sign-up messages")
    args = parser.parse_args()
    print(f"{args.owners:,} owners, {args.programmes:,} programmes, {args.sessions:,} sessions; "
          f"clock {CLOCK:%Y-%m-%d %H:%M} UTC; measured in a process pinned to one core")
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as directory:
                url = f"sqlite:///{directory}/registry.sqlite3"
                measure_backend("SQLite (a file, WAL)", url, args)
        elif backend == "postgresql":
            bin_dir = postgres_bin()
            if bin_dir is None:
                print("PostgreSQL: skipped, no postgres binary on this machine")
                continue
            mine = min(os.sched_getaffinity(0))
            others = (os.sched_getaffinity(0) - {mine}) or {mine}
            with postgres(bin_dir, others) as url:
                measure_backend(f"PostgreSQL {bin_dir.parent.name} (server on core {','.join(map(str, others))})",
                                url, args)
        else:
            parser.error(f"unknown backend {backend!r}")


def measure_backend(label: str, url: str, args: argparse.Namespace) -> None:
    samples, summary = build(url, args)
    print(f"{label}: {summary}")
    timings, profiles = run(url, samples, args)
    report(label, timings, args.spread)
    for kind, text in profiles.items():
        print(f"{label}, cProfile of the {kind} message:\n{text}")


if __name__ == "__main__":
    main()
