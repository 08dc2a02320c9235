"""The worker's housekeeping: what is kept about handled messages goes once no provider resends them."""

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.worker import forget_old_message_ids
from flows.conversation import Conversations
from flows.messages import Inbound
from store.db import Database
from store.models import InboundMessage
from transcript import START, Clock


def test_message_ids_are_forgotten_after_a_week_and_kept_answers_after_two_minutes(database: Database) -> None:
    clock = Clock()
    conversations = Conversations(database, clock)
    conversations.handle(Inbound("web", "budi", "old", "halo"))
    clock.advance(timedelta(days=6))
    conversations.handle(Inbound("web", "budi", "recent", "daftar"))
    with database.engine.begin() as connection:  # as if another process's request never collected it
        connection.execute(update(InboundMessage).where(InboundMessage.provider_message_id == "recent")
                           .values(replies=[{"text": "Apakah Anda setuju?"}]))

    assert forget_old_message_ids(database, now=START + timedelta(days=7, minutes=1)) == 1
    with Session(database.engine) as session:
        kept = session.execute(select(InboundMessage.provider_message_id, InboundMessage.replies)).all()
    assert [tuple(row) for row in kept] == [("recent", None)]
