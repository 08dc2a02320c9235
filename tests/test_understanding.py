"""The understanding corpus (tests/understanding/): every owner's message read at its step as a careful clerk would.

Targets (issue 14): at least 97% understood at the first try, and none taken as something else (an answer or a
command it was not, or an answer taken for small talk or a question of the owner's own).
"""

from collections import Counter

import pytest

from store.db import Database
from understanding_corpus import UNDERSTOOD_AT_LEAST, Case, describe, load_corpus, misses, run_corpus

SMALLEST_CORPUS = 400  # messages (issue 14)


@pytest.fixture(scope="module")
def corpus() -> list[Case]:
    return load_corpus()


def test_the_corpus_is_large_and_says_each_message_once_per_step(corpus: list[Case]) -> None:
    assert len(corpus) >= SMALLEST_CORPUS
    repeated = [key for key, count in Counter((case.step, case.message) for case in corpus).items() if count > 1]
    assert repeated == []


def test_the_corpus_is_understood(sqlite_database: Database, corpus: list[Case]) -> None:
    outcomes = run_corpus(sqlite_database, corpus)
    missed = list(misses(outcomes))
    wrong = [outcome for outcome in missed if outcome.taken_as_something_else]
    understood = 1 - len(missed) / len(outcomes)
    report = "\n".join(describe(outcome) for outcome in missed)
    assert not wrong and understood >= UNDERSTOOD_AT_LEAST, (
        f"{understood:.1%} understood ({len(missed)} missed of {len(outcomes)}), {len(wrong)} taken as something "
        f"else:\n{report}")
