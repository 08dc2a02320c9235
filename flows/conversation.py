"""The one path every message takes: dedupe, lock the conversation, load, respond, save."""

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
        """Reply to one message; a message id seen before gets no reply and changes nothing.

        The dedupe row, the conversation's new state and whatever the flow saved commit in one
        transaction, and the conversation row stays locked until then, so one chat's messages
        are handled one at a time.
        """
        with self.database.transaction(self.clock()) as registry:
            if not registry.claim_inbound(inbound.channel, inbound.message_id):
                return []
            state = registry.open_conversation(inbound.channel, inbound.address)
            replies = respond(Turn(state, inbound, registry))
            registry.save_conversation(state)
            return [replace(reply, language=state.language) for reply in replies]
