"""Kalimantan Tengah's time: WIB (UTC+7, Asia/Jakarta)."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")


def in_wib(moment: datetime) -> datetime:
    """A stored moment in Kalimantan Tengah's time; SQLite hands back naive UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(WIB)
