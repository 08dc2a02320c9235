"""Choosing among names: the candidates one answer could mean, exact names first, then prefixes, then near misses.

Used for menu options and for places alike, so "Kotim", "bakso" and a typo are forgiven by one set of rules.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

FUZZY_THRESHOLD = 80
MIN_PREFIX_LENGTH = 3
_NUMBERED_ANSWER = re.compile(r"(?:no|nomor|nmr|pilihan|opsi|angka)? ?([0-9]{1,4})")


@dataclass(frozen=True, slots=True)
class Names:
    """The normalised names one candidate answers to."""

    loose: tuple[str, ...]
    # Matched only whole, because words like "kabupaten" would make every name fuzzily alike.
    exact_only: tuple[str, ...] = ()


def _compact(name: str) -> str:
    # "kota waringin timur" and "palangka raya" are spacing variants of the official names.
    return name.replace(" ", "")


def exact_matches(queries: Sequence[str], candidates: Sequence[Names]) -> tuple[int, ...]:
    wanted = {_compact(query) for query in queries}
    return tuple(
        index
        for index, names in enumerate(candidates)
        if any(_compact(name) in wanted for name in names.loose + names.exact_only)
    )


def prefix_matches(queries: Sequence[str], candidates: Sequence[Names]) -> tuple[int, ...]:
    stems = [_compact(query) for query in queries if len(_compact(query)) >= MIN_PREFIX_LENGTH]
    return tuple(
        index
        for index, names in enumerate(candidates)
        if any(_compact(name).startswith(stem) for name in names.loose for stem in stems)
    )


def _similarity(query: str, name: str) -> float:
    # ratio on compacted text forgives typos and spacing; token_set_ratio forgives extra words.
    return max(fuzz.ratio(_compact(query), _compact(name)), fuzz.token_set_ratio(query, name))


def fuzzy_matches(queries: Sequence[str], candidates: Sequence[Names]) -> tuple[int, ...]:
    scores = [
        round(max((_similarity(query, name) for query in queries for name in names.loose), default=0.0), 1)
        for names in candidates
    ]
    best = max(scores, default=0.0)
    if best < FUZZY_THRESHOLD:
        return ()
    return tuple(index for index, score in enumerate(scores) if score == best)


def closest(queries: Sequence[str], candidates: Sequence[Names]) -> tuple[int, ...]:
    """Indices of the equally best candidates: exact names first, then prefixes, then fuzzy."""
    present = [query for query in queries if query]
    if not present:
        return ()
    for stage in (exact_matches, prefix_matches, fuzzy_matches):
        found = stage(present, candidates)
        if found:
            return found
    return ()


def numbered_answer(normalised: str) -> int | None:
    match = _NUMBERED_ANSWER.fullmatch(normalised)
    return int(match.group(1)) if match else None
