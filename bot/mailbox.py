"""Per-chat ordering inside one server process: a chat's messages one at a time, earliest first.

Across processes the conversation row's lock serialises a chat; inside a process a mailbox per
chat queues what arrives meanwhile, so no thread sits blocked on that lock, and the message handed
over once the lock is held is the earliest one waiting (by the provider's sequence where it has
one, Telegram's update_id, else by arrival). Different chats run concurrently.
"""

import asyncio
import heapq
import itertools
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from flows.conversation import Conversations
from flows.messages import Inbound, Reply

log = logging.getLogger(__name__)

AfterReply = Callable[[Inbound, list[Reply]], Awaitable[None]]


@dataclass(order=True)
class _Waiting:
    order: tuple[int, int]
    inbound: Inbound = field(compare=False)
    after: AfterReply | None = field(compare=False)
    done: "asyncio.Future[list[Reply]]" = field(compare=False)


@dataclass
class _Mailbox:
    waiting: list[_Waiting] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)  # the loop pushes, a worker thread pops

    def push(self, item: _Waiting) -> None:
        with self.lock:
            heapq.heappush(self.waiting, item)

    def pop(self) -> _Waiting:
        with self.lock:
            return heapq.heappop(self.waiting)


class Mailboxes:
    """Every chat's mailbox in this process; a chat's box exists while it has messages waiting."""

    def __init__(self, conversations: Conversations) -> None:
        self.conversations = conversations
        self._boxes: dict[tuple[str, str], _Mailbox] = {}
        self._arrivals = itertools.count()
        self._draining: set[asyncio.Task[None]] = set()  # the loop keeps only weak references to tasks

    async def handle(self, inbound: Inbound, sequence: int | None = None, after: AfterReply | None = None) -> list[Reply]:
        """The replies to one message, once it had its turn; `after` (sending them, say) runs before the next."""
        arrival = next(self._arrivals)
        done: asyncio.Future[list[Reply]] = asyncio.get_running_loop().create_future()
        key = (inbound.channel, inbound.address)
        box = self._boxes.get(key)
        if box is None:
            box = self._boxes[key] = _Mailbox()
            task = asyncio.create_task(self._drain(key, box))
            self._draining.add(task)
            task.add_done_callback(self._draining.discard)
        box.push(_Waiting((arrival if sequence is None else sequence, arrival), inbound, after, done))
        return await done

    @property
    def chats_waiting(self) -> int:
        return len(self._boxes)

    async def _drain(self, key: tuple[str, str], box: _Mailbox) -> None:
        # Only this task pops from the box and only the event loop pushes, so "empty" seen here
        # stays true until the box is gone.
        while box.waiting:
            await self._handle_earliest(key, box)
        del self._boxes[key]

    async def _handle_earliest(self, key: tuple[str, str], box: _Mailbox) -> None:
        taken: list[_Waiting] = []

        def take() -> Inbound:
            taken.append(box.pop())
            return taken[0].inbound

        try:
            _inbound, replies = await asyncio.to_thread(self.conversations.handle_next, *key, take)
            if taken[0].after is not None:
                await taken[0].after(taken[0].inbound, replies)
        except Exception as error:  # noqa: BLE001 - the waiting request decides what the failure means
            item = taken[0] if taken else box.pop()  # failed before taking: fail the earliest, not all
            if not item.done.done():
                item.done.set_exception(error)
            return
        taken[0].done.set_result(replies)
