"""The one path every message takes: lock the conversation, take what waits, answer in order, save."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flows.engine import GENERAL_OFFICE, Office, Turn
from flows.i18n import Text
from flows.messages import SORRY, Inbound, Reply, read_press, reply_from_json, reply_to_json, shown_screen
from flows.router import respond
from store.db import Database
from store.models import utcnow
from store.registry import ConversationState, Registry, WaitingMessage

log = logging.getLogger(__name__)

ABANDONED_AFTER = timedelta(minutes=2)  # longer than any provider waits for a webhook's answer


@dataclass(frozen=True, slots=True)
class Waiting:
    """A message waiting for its chat's turn, with its place in the chat's order."""

    inbound: Inbound
    sequence: int  # the provider's order where it gives one (Telegram's update_id), else arrival_sequence()


def arrival_sequence() -> int:
    """The arrival time in microseconds: the order of messages whose provider gives none."""
    return time.time_ns() // 1000


class Conversations:
    """Handles inbound messages from any channel against the registry."""

    def __init__(self, database: Database, clock: Callable[[], datetime] = utcnow, dashboard_url: str = "",
                 office: Office = GENERAL_OFFICE) -> None:
        self.database = database
        self.clock = clock
        self.dashboard_url = dashboard_url  # where an officer's login links lead
        self.office = office
        # Where several processes may serve one registry (PostgreSQL), a chat's waiting messages are
        # rows every process sees, so whichever holds the chat answers them all in order. SQLite is
        # served by one process, which keeps them in memory until the chat's turn.
        self.shared = database.engine.dialect.name != "sqlite"

    def handle(self, inbound: Inbound) -> list[Reply]:
        """Reply to one message on its own; a message id seen before gets no reply and changes nothing."""
        waiting = Waiting(inbound, arrival_sequence())
        if not self.queue(waiting):
            return []
        return self.handle_waiting(inbound.channel, inbound.address, lambda: [waiting])[inbound.message_id]

    def queue(self, waiting: Waiting) -> bool:
        """Where waiting is shared, write the message as waiting; False when it was handled before."""
        if not self.shared:
            return True
        inbound = waiting.inbound
        with self.database.transaction(self.clock()) as registry:
            return registry.queue_inbound(WaitingMessage(inbound.channel, inbound.address, inbound.message_id,
                                                         waiting.sequence, inbound.text, inbound.verified_phone,
                                                         inbound.attachment))

    def forget(self, channel: str, message_ids: list[str]) -> None:
        """Where waiting is shared, drop the waiting rows of requests that failed (the owner resends)."""
        if not self.shared or not message_ids:
            return
        with self.database.transaction(self.clock()) as registry:
            registry.forget_waiting(channel, message_ids)

    def handle_waiting(self, channel: str, address: str, take: Callable[[], list[Waiting]]) -> dict[str, list[Reply]]:
        """Lock one chat's conversation, then answer every message waiting for it, in the order sent.

        `take` hands over this process's waiting messages once the lock is held, so none that
        arrived meanwhile is answered before an earlier one. The answers, the dedupe rows, the
        conversation's new state and whatever the flows saved commit in one transaction. Returns the
        replies to each message `take` gave, by message id (none for a message seen before).

        A message whose turn raises is answered with an apology and counted as handled, and the
        others are answered again without it: one bad message never blocks the chat behind it.
        """
        mine: dict[str, Waiting] = {}

        def take_more() -> dict[str, Waiting]:
            mine.update((waiting.inbound.message_id, waiting) for waiting in take())
            return mine

        failed: set[str] = set()
        while True:
            try:
                return self._answer_waiting(channel, address, take_more, failed)
            except _TurnFailed as failure:
                # The type only: an error's words can quote what the owner wrote, NIK included.
                log.error("a %s message failed and was answered with an apology: %s", channel,
                          type(failure.__cause__).__name__)
                failed.add(failure.message_id)

    def _answer_waiting(self, channel: str, address: str, take: Callable[[], dict[str, Waiting]],
                        failed: set[str]) -> dict[str, list[Reply]]:
        with self.database.transaction(self.clock()) as registry:
            state = registry.open_conversation(channel, address)
            mine = take()
            if self.shared:
                turns = self._waiting_turns(registry, channel, address, mine)
            else:
                turns = [waiting.inbound for waiting in sorted(mine.values(), key=lambda waiting: waiting.sequence)]
            replies: dict[str, list[Reply]] = {}
            for inbound in turns:
                replies[inbound.message_id] = self._answer(registry, state, inbound, inbound.message_id in failed)
                if self.shared:  # another process's request collects its answer from the row
                    kept = None if inbound.message_id in mine else [reply_to_json(r) for r in replies[inbound.message_id]]
                    registry.finish_inbound(channel, inbound.message_id, kept)
            answered_elsewhere = mine.keys() - replies.keys()
            for message_id, kept in registry.collect_replies(channel, answered_elsewhere).items():
                replies[message_id] = [reply_from_json(reply) for reply in kept]
            registry.save_conversation(state)
            return {message_id: replies.get(message_id, []) for message_id in mine}

    def _waiting_turns(self, registry: Registry, channel: str, address: str, mine: dict[str, Waiting]) -> list[Inbound]:
        """The chat's waiting rows, in order, but for those left by requests that are gone.

        A row older than any request waits, and not this process's, was left by a request that
        failed or died (its owner was told to send it again): it is dropped, not answered late.
        """
        abandoned_before = registry.now - ABANDONED_AFTER
        turns = []
        for message in registry.waiting_inbound(channel, address):
            if message.message_id not in mine and (message.received_at or registry.now) < abandoned_before:
                registry.finish_inbound(channel, message.message_id, None)
            else:
                turns.append(_inbound(message))
        return turns

    def _answer(self, registry: Registry, state: ConversationState, inbound: Inbound, failed: bool) -> list[Reply]:
        if not self.shared and not registry.claim_inbound(inbound.channel, inbound.message_id):
            return []
        if failed:
            return [Reply(Text(state.language)(SORRY), language=state.language)]
        try:
            replies = respond(Turn(state, read_press(inbound, state.screen), registry, self.dashboard_url, self.office))
        except Exception as error:
            raise _TurnFailed(inbound.message_id) from error
        replies = [replace(reply, language=state.language) for reply in replies]
        state.screen = shown_screen(replies)
        return replies


class _TurnFailed(Exception):
    """A flow raised on one message; the transaction is rolled back and tried again without it."""

    def __init__(self, message_id: str) -> None:
        super().__init__(message_id)
        self.message_id = message_id


def _inbound(message: WaitingMessage) -> Inbound:
    return Inbound(message.channel, message.address, message.message_id, message.text, message.verified_phone,
                   message.attachment)
