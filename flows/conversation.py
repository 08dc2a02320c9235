"""The one path every message takes: lock the conversation, dedupe, load, respond, save."""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from flows.engine import Turn
from flows.messages import Inbound, Reply
from flows.router import respond
from store.db import Database
from store.models import utcnow


class Conversations:
    """Handles inbound messages from any channel against the registry."""

    def __init__(self, database: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.database = database
        self.clock = clock

    def handle(self, inbound: Inbound) -> list[Reply]:
        """Reply to one message; a message id seen before gets no reply and changes nothing."""
        return self.handle_next(inbound.channel, inbound.address, lambda: inbound)[1]

    def handle_next(self, channel: str, address: str, take: Callable[[], Inbound]) -> tuple[Inbound, list[Reply]]:
        """Lock one chat's conversation, then take its next message and reply to it.

        The message is taken only once the lock is held, so a channel queueing a chat's messages
        hands over the earliest one waiting at that moment, even after waiting for another process.
        The dedupe row, the conversation's new state and whatever the flow saved commit in one
        transaction, and the conversation row stays locked until then.
        """
        with self.database.transaction(self.clock()) as registry:
            state = registry.open_conversation(channel, address)
            inbound = take()
            if not registry.claim_inbound(channel, inbound.message_id):
                return inbound, []
            replies = respond(Turn(state, inbound, registry))
            registry.save_conversation(state)
            return inbound, [replace(reply, language=state.language) for reply in replies]
