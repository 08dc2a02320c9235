"""Kalimantan Tengah's time: WIB (UTC+7, Asia/Jakarta)."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")


def in_wib(moment: datetime) -> datetime:
    """A stored moment in Kalimantan Tengah's time; SQLite hands back naive UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(WIB)


def working_days_since(start: datetime, now: datetime) -> int:
    """The working days (Monday to Friday, in WIB) after `start`'s day, up to and including `now`'s day.

    Public holidays are not counted out: the Dinas's calendar of them is not in the registry.
    """
    first, last = in_wib(start).date(), in_wib(now).date()
    days = (last - first).days
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    weekday = first.weekday()
    return weeks * 5 + sum((weekday + offset) % 7 < 5 for offset in range(1, rest + 1))
