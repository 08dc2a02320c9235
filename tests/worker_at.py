"""`tabe worker` as its own process, but on a clock that starts at a moment the test chose.

Reminders go out from 09.00 WIB on the day before a session, and a test cannot wait for that
hour: it hands the worker a clock that starts at, say, 10.00 WIB and runs on at the real pace.
Everything else is what `tabe worker` does: the settings from the environment, the same logging,
and SIGTERM to stop.

    .venv/bin/python tests/worker_at.py START_TIMESTAMP TICK_SECONDS
"""

import logging
import sys
import time
from datetime import datetime, timedelta, timezone

from bot import worker
from bot.settings import load_settings


def main() -> None:
    start = datetime.fromtimestamp(float(sys.argv[1]), timezone.utc)
    began = time.monotonic()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # as `tabe` does: its lines carry the bot token
    worker.main(load_settings(), clock=lambda: start + timedelta(seconds=time.monotonic() - began),
                tick=float(sys.argv[2]))


if __name__ == "__main__":
    main()


def command(start: datetime, tick: float) -> list[str]:
    """How a test starts this script: a worker whose clock starts at `start` and ticks every `tick` seconds."""
    return [sys.executable, __file__, str(start.timestamp()), str(tick)]
