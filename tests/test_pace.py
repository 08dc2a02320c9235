"""A channel's pace shared by workers on PostgreSQL (store/pace.py): slots that never overlap, whoever takes them."""

import asyncio
import time
from itertools import pairwise

import pytest
from sqlalchemy import select

from bot.delivery import SHARED_BLOCK, Pacer, shared_slots
from store import pace
from store.db import Database
from store.models import ChannelPace

pytestmark = pytest.mark.parametrize("database", ["postgresql"], indirect=True)

PER_SECOND = 50
SENDS = 120  # per worker: more than a block, so each worker comes back for more while the others do


def test_the_first_reservation_starts_now_and_the_next_follows_on(database: Database) -> None:
    with database.engine.begin() as connection:
        first = pace.reserve(connection, "telegram", 3, 0.1)
        following = pace.reserve(connection, "telegram", 2, 0.1)
    assert first == pytest.approx([0, 0.1, 0.2], abs=0.01)
    assert following == pytest.approx([0.3, 0.4], abs=0.01)


def test_a_channel_idle_for_a_while_starts_again_from_now_with_nothing_banked(database: Database) -> None:
    with database.engine.begin() as connection:
        pace.reserve(connection, "whatsapp", 1, 0.01)
    time.sleep(0.2)
    with database.engine.begin() as connection:
        assert pace.reserve(connection, "whatsapp", 2, 0.01) == pytest.approx([0, 0.01], abs=0.005)


def test_channels_keep_their_own_pace(database: Database) -> None:
    with database.engine.begin() as connection:
        pace.reserve(connection, "telegram", 10, 1.0)
        assert pace.reserve(connection, "whatsapp", 1, 1.0) == pytest.approx([0], abs=0.01)
        assert set(connection.scalars(select(ChannelPace.channel))) == {"telegram", "whatsapp"}


async def test_workers_taking_slots_at_once_get_disjoint_slots_at_the_channels_pace(database: Database) -> None:
    """Three workers (each its own pacer, and its own connections to the registry) reserve as fast as they can."""

    async def worker() -> list[float]:
        pacer = Pacer(PER_SECOND, shared=shared_slots(database, "telegram"))

        async def moment(chat: int) -> float:
            delay = await pacer.reserve(str(chat))
            return time.monotonic() + delay

        # Several sends waiting at once, as a batch's chats do: blocks of more than one slot.
        return list(await asyncio.gather(*(moment(chat) for chat in range(SENDS))))

    # Each pacer asks the registry from a thread of its own (asyncio.to_thread), as the three workers would.
    taken = await asyncio.gather(*(worker() for _ in range(3)))

    assert [len(slots) for slots in taken] == [SENDS] * 3
    every = sorted(moment for slots in taken for moment in slots)
    gaps = [later - earlier for earlier, later in pairwise(every)]
    # Each slot is 1/50 s after the one before, whoever holds it. Each worker measures its slots on its own side
    # of the round trip to the registry, which on a busy machine (6 ms seen, 12 ms under a full test run beside
    # other work) moves the slots of a block towards the next block's; two workers holding the same block would
    # put every one of its slots 0 ms from another's.
    block = round(PER_SECOND * SHARED_BLOCK)
    assert sum(gap < 0.5 / PER_SECOND for gap in gaps) < block // 2
    assert every[-1] - every[0] == pytest.approx((3 * SENDS - 1) / PER_SECOND, abs=0.05)
