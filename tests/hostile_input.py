"""Hostile input for the tests, by whole classes: every sign Unicode counts as a number, any valid NIK, any JSON.

The expectations here come from Unicode's own data and the NIK's definition, not from the code under test.
"""

import re
import sys
import unicodedata
from datetime import date

from hypothesis import strategies as st
from stdnum import numdb

# Every character of Unicode's categories Nd (decimal digits, any script: "٣", "३", "１") and No (other
# numbers: "❶", "²", "⑩", "½"): 1,555 of them in Python 3.11's Unicode.
NUMBER_SIGNS = tuple(chr(point) for point in range(sys.maxunicode + 1) if unicodedata.category(chr(point)) in ("Nd", "No"))


def digits_shown(sign: str) -> str | None:
    """The ASCII digits an owner means by one sign: its compatibility form without the marks around it ("１",
    "⑩" -> "10", "⑴" -> "1") or the digit it shows ("❸", "٣"); None when it shows no whole digit ("½", "𐄇")."""
    plain = re.sub(r"^\W+|\W+$", "", unicodedata.normalize("NFKC", sign))
    if plain.isascii() and plain.isdecimal():
        return plain
    digit = unicodedata.digit(sign, None)
    return None if digit is None else str(digit)


# The first four digits of a NIK are a province and kabupaten/kota code: those python-stdnum's table of
# places knows (asking stdnum_nik.is_valid of each of 10,000 would take seconds).
_PLACES = numdb.get("id/loc")
NIK_REGIONS = tuple(code for code in (f"{number:04d}" for number in range(10000)) if _PLACES.info(code)[0][1])


@st.composite
def niks(draw: st.DrawFn) -> str:
    """A valid NIK: a known region, any kecamatan, a past birth date (women's day + 40), a serial."""
    born = draw(st.dates(date(1930, 1, 1), date(2009, 12, 31)))
    day = born.day + (40 if draw(st.booleans()) else 0)
    kecamatan, serial = draw(st.integers(1, 99)), draw(st.integers(1, 9999))
    return f"{draw(st.sampled_from(NIK_REGIONS))}{kecamatan:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


@st.composite
def written_niks(draw: st.DrawFn) -> tuple[str, str]:
    """A valid NIK and the way an owner might type it: digits grouped by spaces, dots or dashes, or not at all."""
    nik = draw(niks())
    separators = draw(st.lists(st.sampled_from(["", "", "", " ", ".", "-", " - ", ". "]), min_size=15, max_size=15))
    return nik, nik[0] + "".join(separator + digit for separator, digit in zip(separators, nik[1:], strict=True))


# Words around a NIK, as an owner types them where a name or address is asked.
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ,'", max_size=30)

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
