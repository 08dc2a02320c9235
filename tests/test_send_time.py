"""When an officer wants an announcement sent (flows/send_time.py): the moments people write, and what is asked
again. The clock stands at Friday 4 December 2026, 09.00 WIB."""

from datetime import datetime, timedelta, timezone

import pytest

from domain.invalid import Invalid
from domain.wib import WIB
from flows.send_time import parse_send_time

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=WIB)


def wib(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB).astimezone(timezone.utc)


@pytest.mark.parametrize(("typed", "moment"), [
    ("sekarang", None),
    ("Sekarang juga", None),
    ("now", None),
    ("besok 08.00", wib(12, 5, 8)),
    ("besok jam 8", wib(12, 5, 8)),
    ("Besok pukul 07:30 WIB", wib(12, 5, 7, 30)),
    ("lusa 19.00", wib(12, 6, 19)),
    ("jam 7 malam", wib(12, 4, 19)),  # only a time: today
    ("15.30", wib(12, 4, 15, 30)),
    ("hari ini jam 3 sore", wib(12, 4, 15)),
    ("jam 1 siang", wib(12, 4, 13)),
    ("7/12 14.30", wib(12, 7, 14, 30)),
    ("7-12-2026 jam 8", wib(12, 7, 8)),
    ("tgl 7 Desember pukul 8 pagi", wib(12, 7, 8)),
    ("10 des 09.00", wib(12, 10, 9)),
    ("5/1 08.00", wib(1, 5, 8, year=2027)),  # January comes next year
    ("Senin 08.00", wib(12, 7, 8)),
    ("senin depan jam 8", wib(12, 7, 8)),
    ("jumat 10.00", wib(12, 4, 10)),  # today is Friday, and 10.00 is still ahead
    ("Jum'at 08.00", wib(12, 11, 8)),  # 08.00 today has passed: next Friday
    ("Monday 9:15", wib(12, 7, 9, 15)),
    ("tomorrow at 8 am", wib(12, 5, 8)),
    ("2026-12-07 08:00", wib(12, 7, 8)),
])
def test_the_moments_people_write(typed: str, moment: datetime | None) -> None:
    assert parse_send_time(typed, NOW) == moment


@pytest.mark.parametrize(("typed", "reason"), [
    ("08.00", "has passed today"),  # never moved to tomorrow unasked
    ("besok", "At what time?"),
    ("4/12 08.00", "has passed"),
    ("31/2 08.00", "no such date"),
    ("besok 25.00", "not a time of day"),
    ("1/6 08.00", "more than 90 days"),
    ("kapan saja", "for example"),
    ("minggu ini", "for example"),
])
def test_what_cannot_be_a_moment_ahead_is_asked_again_with_the_reason(typed: str, reason: str) -> None:
    with pytest.raises(Invalid) as rejected:
        parse_send_time(typed, NOW)
    assert reason in rejected.value.reason % rejected.value.params


def test_ninety_days_is_the_furthest() -> None:
    assert parse_send_time("4/3 08.00", NOW) == wib(3, 4, 8, year=2027)
    assert parse_send_time("4/3 08.00", NOW) - NOW <= timedelta(days=90)
