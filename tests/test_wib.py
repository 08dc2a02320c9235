"""Kalimantan Tengah's time: the Dinas's working days, counted in WIB without weekends, public holidays and
collective leave."""

from datetime import datetime, timedelta, timezone

import pytest

from domain.wib import WIB, working_days_since


def wib(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WIB)


@pytest.mark.parametrize(("start", "now", "days"), [
    ("2026-12-02 09:00", "2026-12-02 16:00", 0),  # the same day
    ("2026-12-02 16:00", "2026-12-01 09:00", 0),  # now before the start
    ("2026-12-04 09:00", "2026-12-07 08:00", 1),  # Friday to Monday: the weekend is not counted
    ("2026-12-01 09:00", "2026-12-08 09:00", 5),  # a week
    ("2026-12-23 10:00", "2026-12-28 10:00", 1),  # Christmas's collective leave (24th) and Christmas Day (25th)
    ("2026-03-17 10:00", "2026-03-25 10:00", 1),  # Nyepi and Idul Fitri with their collective leave
    ("2026-12-30 10:00", "2027-01-04 10:00", 2),  # across the year: 31 December, New Year's Day off, 4 January
])
def test_working_days_leave_out_weekends_and_days_off(start: str, now: str, days: int) -> None:
    assert working_days_since(wib(start), wib(now)) == days


def test_days_are_counted_in_wib_and_stored_times_are_utc() -> None:
    # 23.30 WIB on Friday 4 December is 16.30 UTC the same day; stored naive times are UTC.
    friday_night = datetime(2026, 12, 4, 16, 30)
    monday = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)
    assert working_days_since(friday_night, monday) == 1
    assert working_days_since(friday_night + timedelta(hours=1), monday) == 1  # 00.30 WIB on Saturday
