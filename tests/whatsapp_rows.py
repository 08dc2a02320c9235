"""An outbox row to the tests' WhatsApp owner, and what became of it: both providers' status tests need them."""

from sqlalchemy import select

from domain.channels import TWILIO, WHATSAPP
from store.db import Database
from store.models import Conversation, OutboxMessage
from whatsapp_phone import SENDER


def sent_row(database: Database, provider_id: str | None, provider: str = TWILIO, template: bool = False) -> int:
    """An outbox row to SENDER, claimed by a worker, and recorded sent by `provider` with `provider_id` unless it is
    None."""
    with database.transaction() as registry:
        registry.save_conversation(registry.open_conversation(WHATSAPP, SENDER))
        registry.outbox.queue("seat", None, WHATSAPP, SENDER, "Kursi untuk Anda.")
    with database.transaction() as registry:
        [claimed] = registry.outbox.claim(1, (WHATSAPP,), claimed_before=registry.now)
        if provider_id is not None:
            registry.outbox.sent([(claimed.id, WHATSAPP, provider_id, provider, template)])
    return claimed.id


def outbox_row(database: Database, message_id: int) -> tuple[str, str | None]:
    """A row's status and error."""
    with database.engine.connect() as connection:
        found = connection.execute(select(OutboxMessage.status, OutboxMessage.error)
                                   .where(OutboxMessage.id == message_id)).one()
    return found.status, found.error


def chat_blocked(database: Database) -> bool:
    """Whether the owner's one chat is marked as blocking the bot."""
    with database.engine.connect() as connection:
        return connection.execute(select(Conversation.blocked_at)).scalar_one() is not None
