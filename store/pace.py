"""A channel's send slots shared by every worker on PostgreSQL, so that together they keep its rate.

Each worker takes a block of slots at a time with one UPDATE … RETURNING on the channel's row of
`channel_pace`: the row says when the channel may next send, and moving it on by the block is
the reservation, serialised by the row's lock. Slots are counted on the database's clock and
handed back as seconds from its now, so the workers' own clocks never have to agree.
"""

from datetime import timedelta

from sqlalchemy import Connection, Interval, bindparam, func, update

from store.dialects import DIALECTS
from store.models import ChannelPace

_pace = ChannelPace.__table__


def reserve(connection: Connection, channel: str, count: int, spacing: float) -> list[float]:
    """Take the channel's next `count` slots, `spacing` seconds apart; each as seconds from the database's now."""
    span = timedelta(seconds=count * spacing)
    taking = (update(_pace).where(_pace.c.channel == channel)
              .values(next_at=func.greatest(_pace.c.next_at, func.clock_timestamp()) + bindparam("span", type_=Interval))
              .returning(_pace.c.next_at, func.clock_timestamp()))
    taken = connection.execute(taking, {"span": span}).first()
    if taken is None:  # the channel's first reservation ever: its row starts at the database's now
        connection.execute(DIALECTS[connection.dialect.name].insert(_pace)
                           .values(channel=channel, next_at=func.clock_timestamp())
                           .on_conflict_do_nothing(index_elements=["channel"]))
        taken = connection.execute(taking, {"span": span}).one()
    ends_at, now = taken
    first = (ends_at - span - now).total_seconds()
    return [first + slot * spacing for slot in range(count)]
