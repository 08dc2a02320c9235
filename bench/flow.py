"""How many registration messages per second the message path handles, and the memory it holds.

Each measurement runs in a fresh process pinned to one core, on SQLite in a temporary file, with
every message its own committed transaction through Conversations.handle, the path every channel
takes. It is done on an empty registry and on one holding --owners registered owners, so that
both speed and resident memory can be compared across registry sizes.

Run: `make bench`, or `.venv/bin/python bench/flow.py [--owners 100000] [--chatting 300] [--runs 3]`.
"""

import argparse
import multiprocessing
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from bot.sample import new_nik, seed
from flows.conversation import Conversations
from flows.messages import Inbound
from store.db import Database
from store.migrate import upgrade


def registration(nik: str) -> list[str]:
    """One whole registration, from the greeting to the saved registration number."""
    return ["halo", "1", "ya", "Budi Santoso", nik, "0812 3456 7890", "Warung Makan Bu Sari",
            "1", "Kotim", "Baamang", "Jl. Tjilik Riwut Km 5 No. 12", "belum punya", "2019", "3",
            "15 juta", "2,5 jt", "ya"]


MESSAGES_PER_REGISTRATION = len(registration(""))


def resident_mb() -> float:
    """This process's resident set size now, from the kernel."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def register(conversations: Conversations, owners: int, prefix: str) -> int:
    """Register `owners` owners (each their own NIK), messages interleaved; returns how many were sent."""
    rng, taken = random.Random(prefix), set[str]()
    scripts = [registration(new_nik(rng, taken)) for _owner in range(owners)]
    for step in range(MESSAGES_PER_REGISTRATION):
        for owner, script in enumerate(scripts):
            conversations.handle(Inbound("bench", f"{prefix}{owner}", f"{prefix}{owner}:{step}", script[step]))
    return MESSAGES_PER_REGISTRATION * owners


def measure(url: str, chatting: int, run: int, results: "multiprocessing.Queue[tuple[float, float, float]]") -> None:
    """In a fresh process on one core: messages per second, and resident MB before and after."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    database = Database(url)
    conversations = Conversations(database)
    register(conversations, 20, f"warmup{run}-")  # imports, caches, the first pages of the file
    before = resident_mb()
    started = time.perf_counter()
    messages = register(conversations, chatting, f"run{run}-")
    results.put((messages / (time.perf_counter() - started), before, resident_mb()))
    database.dispose()


def measure_runs(url: str, chatting: int, runs: int) -> list[tuple[float, float, float]]:
    context = multiprocessing.get_context("spawn")
    results: "multiprocessing.Queue[tuple[float, float, float]]" = context.Queue()
    found = []
    for run in range(runs):
        process = context.Process(target=measure, args=(url, chatting, run, results))
        process.start()
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"measuring run {run} failed (exit code {process.exitcode}); see above")
        found.append(results.get(timeout=10))
    return found


def report(label: str, found: list[tuple[float, float, float]]) -> None:
    rates = [rate for rate, _before, _after in found]
    print(f"{label:>24}: {statistics.median(rates):7,.0f} messages/s median of {len(rates)} "
          f"(min {min(rates):,.0f}, max {max(rates):,.0f}); resident {statistics.median(after for *_, after in found):.1f} MB "
          f"after, {statistics.median(before for _, before, _ in found):.1f} MB before the run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--owners", type=int, default=100_000, help="registered owners in the larger registry")
    parser.add_argument("--chatting", type=int, default=300, help="owners registering during one run")
    parser.add_argument("--runs", type=int, default=3, help="runs per registry size, each in a new process")
    args = parser.parse_args()
    print(f"{MESSAGES_PER_REGISTRATION * args.chatting:,} messages per run ({args.chatting} owners registering, "
          f"{MESSAGES_PER_REGISTRATION} messages each), SQLite, one core")
    with tempfile.TemporaryDirectory() as directory:
        for owners in (0, args.owners):
            url = f"sqlite:///{directory}/registry-{owners}.sqlite3"
            upgrade(url)
            database = Database(url)
            seed(database, owners)
            database.dispose()
            report(f"{owners:,} registered owners", measure_runs(url, args.chatting, args.runs))


if __name__ == "__main__":
    main()
