"""The evaluation set of owners' questions (tests/answers/questions.yaml) and how the knowledge base answers it.

The set was written apart from the entries' own phrasings: questions as owners type them, each mapped to the
shipped entry that answers it, and questions no entry answers. Shared by tests/test_knowledge.py, which holds
the targets, and bench/answers.py, which reports the numbers and the misses.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from flows.knowledge import Finding, Index
from store.knowledge import EntryContent, shipped_entries

QUESTIONS = Path(__file__).parent / "answers" / "questions.yaml"
# Targets (issue 15): the right entry first for 90% of the answerable questions; at most 3% of all questions
# answered with an entry that does not answer them; "not found" said for 90% of those no entry answers.
TOP_ONE_AT_LEAST, WRONG_AT_MOST, NOT_FOUND_AT_LEAST = 0.90, 0.03, 0.90


@dataclass(frozen=True)
class Asked:
    text: str
    entry: str | None  # the slug of the entry that answers it; None: no entry does


@dataclass(frozen=True)
class Scored:
    asked: Asked
    answer: str | None  # the slug the knowledge base answered with
    choices: tuple[str, ...]  # or the two it offered

    @property
    def right(self) -> bool:
        return self.answer == self.asked.entry if self.asked.entry is not None else not self.answer and not self.choices

    @property
    def wrong(self) -> bool:
        """Answered with an entry that does not answer it (a choice offered is no answer: it asks first)."""
        return self.answer is not None and self.answer != self.asked.entry


@dataclass(frozen=True)
class Report:
    scored: list[Scored]

    def _of(self, answerable: bool) -> list[Scored]:
        return [score for score in self.scored if (score.asked.entry is not None) is answerable]

    @property
    def top_one(self) -> float:
        answerable = self._of(True)
        return sum(score.right for score in answerable) / len(answerable)

    @property
    def wrong(self) -> float:
        return sum(score.wrong for score in self.scored) / len(self.scored)

    @property
    def not_found(self) -> float:
        unanswerable = self._of(False)
        return sum(score.right for score in unanswerable) / len(unanswerable)

    @property
    def misses(self) -> list[Scored]:
        return [score for score in self.scored if not score.right]


def load_questions(path: Path = QUESTIONS) -> list[Asked]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [*(Asked(row["text"], row["entry"]) for row in data["answered"]),
            *(Asked(text, None) for text in data["not_answered"])]


def shipped_index(entries: Sequence[EntryContent] | None = None) -> tuple[Index, list[EntryContent]]:
    """The index of the shipped entries, each known by its position, as a registry's index is built."""
    entries = list(entries if entries is not None else shipped_entries())
    return Index([(number, entry.phrasings(), list(entry.answer.values())) for number, entry in enumerate(entries)]), entries


def score(questions: Sequence[Asked], index: Index, entries: Sequence[EntryContent]) -> Report:
    def slug(finding: Finding) -> tuple[str | None, tuple[str, ...]]:
        return (entries[finding.answer].slug if finding.answer is not None else None,
                tuple(entries[choice].slug for choice in finding.choices))
    return Report([Scored(asked, *slug(index.find(asked.text))) for asked in questions])


def describe(scored: Scored) -> str:
    got = scored.answer or (" or ".join(scored.choices) if scored.choices else "not found")
    return f"{scored.asked.text!r}: expected {scored.asked.entry or 'not found'}, got {got}"
