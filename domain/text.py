"""Owners' text made comparable: cleaned of what phone keyboards add, and folded for matching names."""

import re
import unicodedata

_NON_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})


def clean(text: str) -> str:
    """Strip, drop control and format characters, collapse whitespace; case is kept."""
    # NFKC turns full-width digits and no-break spaces, which some phone keyboards send, into plain ones.
    normalised = unicodedata.normalize("NFKC", text)
    kept = (
        " " if char.isspace() else char
        for char in normalised
        if char.isspace() or unicodedata.category(char) not in _DROPPED_CATEGORIES
    )
    return " ".join("".join(kept).split())


def normalise_name(text: str) -> str:
    """Fold a place name for comparison: "P. Raya" and "p raya" both become "p raya"."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_ALPHANUMERIC.sub(" ", folded).split())
