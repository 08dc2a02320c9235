"""The words users read: catalogs load, money and dates read as Indonesians write them."""

from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.wib import in_wib
from flows import i18n
from flows.i18n import LANGUAGES, Text
from flows.parsing import parse_rupiah


@pytest.mark.parametrize(("language", "money", "day"), [
    ("id", "Rp2.500.000", "Senin, 25 Juli 2022"),
    ("en", "Rp2.500.000", "Monday, 25 July 2022"),
])
def test_money_and_dates(language: str, money: str, day: str) -> None:
    text = Text(language)
    assert text.money(2_500_000) == money
    assert text.date(date(2022, 7, 25)) == day


@given(st.integers(min_value=0, max_value=10**13), st.sampled_from(LANGUAGES))
def test_money_as_shown_reads_back_as_the_same_amount(amount: int, language: str) -> None:
    assert parse_rupiah(Text(language).money(amount)) == amount


def test_translations_and_placeholders() -> None:
    assert Text("id")("Question %(number)s of %(total)s", number=4, total=13) == "Pertanyaan 4 dari 13"
    assert Text("en")("Question %(number)s of %(total)s", number=4, total=13) == "Question 4 of 13"


def test_an_unknown_language_falls_back_to_indonesian() -> None:
    assert Text("fr").language == "id"


def test_a_missing_catalog_is_an_error_not_silent_english(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.catalog.cache_clear()
    try:
        with pytest.raises(FileNotFoundError):
            Text("id")
    finally:
        i18n.catalog.cache_clear()


def test_stored_moments_are_shown_in_wib() -> None:
    late_evening_utc = datetime(2026, 11, 27, 18, 30)  # naive, as SQLite hands it back
    assert in_wib(late_evening_utc).date() == date(2026, 11, 28)
    assert in_wib(late_evening_utc.replace(tzinfo=timezone.utc)).hour == 1
