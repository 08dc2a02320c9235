"""How many of the corpus's owner messages are understood at the first try, and how long reading one takes.

The corpus (tests/understanding/*.yaml, run by tests/understanding_corpus.py) holds owners' messages at named
steps, each with the reading a careful clerk would give it. On a fresh SQLite registry in a temporary file, the
steps are reached by real messages through `Conversations`; each message is then read (`flows.router.understand`)
on a copy of its step's state. Printed: per step and in total, the messages understood at the first try (the
reading is the expected one), missed, and taken as something else (an answer or a command it was not, or an
answer taken for small talk or a question); every miss; and the time one reading takes, median and 95th
percentile over --rounds passes of the whole corpus, beside the same messages through `flows.parsing.clean`
alone (the floor every reading starts from), timed the same way in the same run.

Targets (issue 14): at least 97% understood at the first try; none taken as something else.

Run: `.venv/bin/python bench/understanding.py [--rounds 20]`.
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the corpus and its runner are the test's, shared with this report

from flows.parsing import clean
from store.db import Database
from store.migrate import upgrade
from understanding_corpus import UNDERSTOOD_AT_LEAST, Case, Outcome, describe, load_corpus, reach_steps, read_all


def per_step(outcomes: Sequence[Outcome]) -> list[str]:
    """A line per step, in corpus order: messages, understood, missed, taken as something else; then the total."""
    steps: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        steps.setdefault(outcome.case.step, []).append(outcome)
    width = max(map(len, steps))
    lines = [f"{'step':<{width}}  messages  understood  missed  taken as something else"]
    for step, found in [*steps.items(), ("total", list(outcomes))]:
        understood = sum(outcome.understood for outcome in found)
        wrong = sum(outcome.taken_as_something_else for outcome in found)
        lines.append(f"{step:<{width}}  {len(found):>8}  {understood:>10}  {len(found) - understood:>6}  {wrong:>23}")
    return lines


def microseconds(seconds: Sequence[float]) -> str:
    """"median 41 µs, p95 120 µs" of these durations."""
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1e6:,.1f} µs, p95 {p95 * 1e6:,.1f} µs"


def clean_times(cases: Sequence[Case]) -> list[float]:
    """Each message through `clean` alone, timed as a reading is."""
    times = []
    for case in cases:
        started = time.perf_counter()
        clean(case.message)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20, help="passes over the corpus for the timings")
    arguments = parser.parse_args()
    cases = load_corpus()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/understanding.sqlite3"
        upgrade(url)
        database = Database(url)
        try:
            steps = reach_steps(database)
            outcomes = read_all(steps, cases)  # the first try: what the report counts
            reading, floor = [outcome.seconds for outcome in outcomes], clean_times(cases)
            for _round in range(arguments.rounds - 1):
                reading += [outcome.seconds for outcome in read_all(steps, cases)]
                floor += clean_times(cases)
        finally:
            database.dispose()
    missed = [outcome for outcome in outcomes if not outcome.understood]
    wrong = sum(outcome.taken_as_something_else for outcome in outcomes)
    share = 1 - len(missed) / len(outcomes)
    print(f"{len(cases)} messages at {len({case.step for case in cases})} steps "
          f"(tests/understanding/), read by flows.router.understand\n")
    print("\n".join(per_step(outcomes)))
    print(f"\nunderstood at the first try: {share:.1%} (target at least {UNDERSTOOD_AT_LEAST:.0%}); "
          f"taken as something else: {wrong} (target 0)")
    print(f"reading one message: {microseconds(reading)}; "
          f"clean() alone: {microseconds(floor)} ({arguments.rounds} rounds of {len(cases)} messages)")
    if missed:
        print(f"\n{len(missed)} missed:")
        print("\n".join(describe(outcome) for outcome in missed))


if __name__ == "__main__":
    main()
