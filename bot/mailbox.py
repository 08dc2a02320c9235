"""Per-chat ordering inside one server process: a chat's messages wait here for the chat's turn.

Across processes the conversation row's lock serialises a chat. Inside a process a mailbox per chat
holds what arrives meanwhile, so one task per chat (not one thread per message) waits for that
lock, and once it is held every message waiting by then is answered, earliest first: by the
provider's sequence where it has one (Telegram's update_id), else by arrival. Different chats run
concurrently.
"""

import asyncio
import contextlib
import itertools
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from flows.conversation import Conversations, Waiting, arrival_sequence
from flows.messages import Inbound, Reply

# Called with the message, its replies, and whether other messages of its chat were answered with it
# (their answers, each on its own request, could then reach the owner out of order).
AfterReply = Callable[[Inbound, list[Reply], bool], Awaitable[None]]


@dataclass(order=True)
class _Item:
    order: tuple[int, int]
    waiting: Waiting = field(compare=False)
    after: AfterReply | None = field(compare=False)
    done: "asyncio.Future[list[Reply]]" = field(compare=False)


@dataclass
class _Mailbox:
    items: list[_Item] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)  # the loop adds, a worker thread takes

    def add(self, item: _Item) -> None:
        with self.lock:
            self.items.append(item)

    def take_all(self) -> list[_Item]:
        with self.lock:
            taken, self.items = sorted(self.items), []
        return taken


class Mailboxes:
    """Every chat's mailbox in this process; a chat's box exists while it has messages waiting."""

    def __init__(self, conversations: Conversations) -> None:
        self.conversations = conversations
        self._boxes: dict[tuple[str, str], _Mailbox] = {}
        self._arrivals = itertools.count()
        self._draining: set[asyncio.Task[None]] = set()  # the loop keeps only weak references to tasks

    async def handle(self, inbound: Inbound, sequence: int | None = None, after: AfterReply | None = None) -> list[Reply]:
        """The replies to one message, once it had its turn; `after` (sending them, say) runs before the next's."""
        waiting = Waiting(inbound, arrival_sequence() if sequence is None else sequence)
        if self.conversations.shared and not await asyncio.to_thread(self.conversations.queue, waiting):
            return []  # handled before: a provider's retry
        done: asyncio.Future[list[Reply]] = asyncio.get_running_loop().create_future()
        key = (inbound.channel, inbound.address)
        box = self._boxes.get(key)
        if box is None:
            box = self._boxes[key] = _Mailbox()
            task = asyncio.create_task(self._drain(key, box))
            self._draining.add(task)
            task.add_done_callback(self._draining.discard)
        box.add(_Item((waiting.sequence, next(self._arrivals)), waiting, after, done))
        return await done

    def waiting(self, channel: str, address: str) -> int:
        """How many of a chat's messages wait for their turn in this process."""
        box = self._boxes.get((channel, address))
        return len(box.items) if box is not None else 0

    async def _drain(self, key: tuple[str, str], box: _Mailbox) -> None:
        # Only this task takes from the box and only the event loop adds, so "empty" seen here
        # stays true until the box is gone.
        try:
            while box.items:
                await self._answer_waiting(key, box)
        finally:
            del self._boxes[key]
            for item in box.take_all():  # only if this task itself was cancelled (the server stopping)
                _settle(item, error=RuntimeError("the server stopped before this message's turn"))

    async def _answer_waiting(self, key: tuple[str, str], box: _Mailbox) -> None:
        taken: list[_Item] = []

        def take() -> list[Waiting]:
            taken.extend(box.take_all())
            return [item.waiting for item in taken]

        try:
            replies = await asyncio.to_thread(self.conversations.handle_waiting, *key, take)
        except Exception as error:  # noqa: BLE001 - each waiting request decides what the failure means
            failed = taken or box.take_all()
            with contextlib.suppress(Exception):  # the registry may be what failed; the rows then expire
                await asyncio.to_thread(self.conversations.forget, key[0],
                                        [item.waiting.inbound.message_id for item in failed])
            for item in failed:
                _settle(item, error=error)
            return
        # A provider sends a message again when it gave up waiting for the answer: the latest delivery
        # is the one whose answer is read, the earlier ones get none.
        latest = {item.waiting.inbound.message_id: item for item in taken}
        for item in taken:
            answer = replies[item.waiting.inbound.message_id] if latest[item.waiting.inbound.message_id] is item else []
            try:
                if item.after is not None:
                    await item.after(item.waiting.inbound, answer, len(latest) > 1)
            except Exception as error:  # noqa: BLE001 - as above
                _settle(item, error=error)
            else:
                _settle(item, answer)


def _settle(item: _Item, answer: list[Reply] | None = None, error: Exception | None = None) -> None:
    """Hand the outcome to the waiting request, unless it stopped waiting (its client went away)."""
    if item.done.done():
        return
    if error is not None:
        item.done.set_exception(error)
    else:
        item.done.set_result(answer or [])
