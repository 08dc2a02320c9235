"""The everyday words owners write, by what they mean: yes, no, thanks, greetings, in every language we read.

Reference data only, read once from data/words.csv: Bahasa Indonesia (id), its chat spellings (id-chat),
Banjar (bjn), Dayak Ngaju (nij) and English (en), each phrase with the published word list that gives it.
Phrases are stored casefolded; how they are matched (whole words, repeated letters) is for the readers.
Beside them, data/spellings.csv: words as owners write them (chat spellings, Banjar, everyday forms) with their
standard spelling, for the readers that compare content words rather than meanings.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

WORDS_CSV = Path(__file__).parent / "data" / "words.csv"
SPELLINGS_CSV = Path(__file__).parent / "data" / "spellings.csv"

YES = "yes"
NO = "no"
NONE = "none"  # "I have none (yet)": belum punya, kadada
I = "i"  # the speaker: saya, ulun, gw
WANT = "want"
REGISTER = "register"
THANKS = "thanks"
GREETING = "greeting"
SALAM = "salam"
OK = "ok"
GOODBYE = "goodbye"
SORRY = "sorry"
LATER = "later"  # "nanti": ask me another time
NOW = "now"  # "sekarang": at once

MEANINGS = frozenset({YES, NO, NONE, I, WANT, REGISTER, THANKS, GREETING, SALAM, OK, GOODBYE, SORRY, LATER, NOW})
LANGUAGES = frozenset({"id", "id-chat", "bjn", "nij", "en"})


@cache
def _phrases_by_meaning() -> Mapping[str, frozenset[str]]:
    phrases: dict[str, set[str]] = {meaning: set() for meaning in MEANINGS}
    with WORDS_CSV.open(encoding="utf-8", newline="") as csv_file:
        for row in csv.DictReader(csv_file):
            phrases[row["meaning"]].add(row["phrase"])
    return MappingProxyType({meaning: frozenset(found) for meaning, found in phrases.items()})


def words_for(meaning: str) -> frozenset[str]:
    """Every phrase that means `meaning` (one of MEANINGS), in every language; KeyError for any other meaning."""
    return _phrases_by_meaning()[meaning]


@cache
def standard_spellings() -> Mapping[str, str]:
    """Each word as owners write it ("bikin", "ulun", "sertif"), with its standard spelling (one or more words)."""
    with SPELLINGS_CSV.open(encoding="utf-8", newline="") as csv_file:
        return MappingProxyType({row["written"]: row["standard"] for row in csv.DictReader(csv_file)})
