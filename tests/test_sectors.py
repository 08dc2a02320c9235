"""The kinds of business owners name: a phrase outweighs its words, and a sentence leaves words naming none."""

import pytest

from domain.sectors import sectors_named


@pytest.mark.parametrize(("text", "named", "unnamed"), [
    ("bakso", ["kuliner"], 0), ("warung makan", ["kuliner"], 0), ("warung", ["warung"], 0),
    ("anyaman purun", ["kriya"], 0), ("bengkel motor", ["jasa"], 1), ("jahit baju", ["fesyen", "jasa"], 0),
    ("budidaya ikan", ["olahan", "lainnya"], 0), ("katering kadang jualan di warung", ["kuliner", "warung"], 3),
    ("sy jualan kue sama es di depan sekolah", ["kuliner"], 6), ("guest house", ["wisata"], 0), ("", [], 0),
])
def test_sectors_named(text: str, named: list[str], unnamed: int) -> None:
    assert sectors_named(text.split()) == (named, unnamed)
