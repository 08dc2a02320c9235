"""Whole conversations, written as transcripts in tests/transcripts, on every backend."""

from pathlib import Path

import pytest

from store.db import Database
from transcript import play

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.txt"))


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[path.stem for path in TRANSCRIPTS])
def test_transcript(database: Database, path: Path) -> None:
    play(database, path)
