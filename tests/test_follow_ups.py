"""Follow-ups from our side (store/follow_ups.py, flows/follow_up.py, flows/evaluation.py): the morning after a
session, its evaluation to those who attended and a kind note to those who did not; the owner answers now, later
("nanti", asked once more three days on) or never ("berhenti"), and is back where they were."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import delete, insert, select, update

from bot.delivery import message_text
from bot.sample import seed
from bot.worker import queue_due_follow_ups
from domain.channels import TELEGRAM
from domain.wib import WIB, in_wib
from flows.conversation import Conversations
from store.db import Database
from store.follow_ups import Status
from store.models import Conversation, Enrollment, Evaluation, FollowUp, OutboxMessage, TrainingSession
from store.training import ProgrammeRecord, SessionRecord
from store.training import Status as Place
from transcript import Chat, Clock

QRIS = ProgrammeRecord("qris", "Pelatihan QRIS", "Pembayaran digital untuk UMKM.", "Dinas Koperasi dan UKM",
                       ("digital",))
MORNING_AFTER = datetime(2027, 3, 13, 9, 0, tzinfo=WIB)  # a Saturday, 09.00 WIB
ATTENDED, ABSENT = 1, 2  # the owners, by what they were marked


def ended_yesterday(database: Database) -> int:
    """A session that ended the evening before MORNING_AFTER, attended by owner 1, missed by owner 2, each on
    Telegram; and a later session of the same programme. The first session's id."""
    seed(database, 2)
    yesterday = MORNING_AFTER - timedelta(days=1)
    sessions = [SessionRecord("qris", code, starts, starts + timedelta(hours=8), place, "62.71", 20,
                              starts - timedelta(days=1))
                for code, starts, place in (("plk-1", yesterday.replace(hour=8), "Aula Dinas Koperasi"),
                                            ("plk-2", yesterday.replace(hour=8) + timedelta(days=30), "GOR Tuah Pahoe"))]
    with database.transaction(MORNING_AFTER - timedelta(days=20)) as registry:
        registry.training.import_programmes([QRIS], sessions)
        session_id = registry.session.execute(select(TrainingSession.id).where(TrainingSession.code == "plk-1")).scalar()
        registry.session.execute(delete(Conversation))  # the sample's chats: these owners chat where we say
        for owner_id, place in ((ATTENDED, Place.ATTENDED), (ABSENT, Place.ABSENT)):
            chat = registry.open_conversation(TELEGRAM, str(owner_id))
            chat.owner_id = owner_id
            registry.save_conversation(chat)
            registry.session.execute(insert(Enrollment).values(session_id=session_id, owner_id=owner_id, status=place))
    return session_id


def sent(database: Database, now: datetime) -> dict[int, list[str]]:
    """What the worker takes from the outbox now, by owner, as it writes it."""
    with database.transaction(now) as registry:
        rows = registry.outbox.claim(100, (TELEGRAM,), now)
        registry.outbox.sent([(row.id, row.channel, f"sent-{row.id}", "telegram", False) for row in rows])
    written: dict[int, list[str]] = {}
    for row in rows:
        written.setdefault(int(row.address), []).append(message_text(row))
    return written


def evaluation_of(database: Database, session_id: int, owner_id: int) -> tuple:
    with database.engine.connect() as connection:
        return tuple(connection.execute(select(Evaluation.usefulness, Evaluation.trainer, Evaluation.will_apply,
                                               Evaluation.comment).where(Evaluation.session_id == session_id,
                                                                         Evaluation.owner_id == owner_id)).one())


def follow_up_status(database: Database) -> str:
    with database.engine.connect() as connection:
        return connection.execute(select(FollowUp.status)).scalar_one()


def test_before_nine_nothing_is_queued_and_from_nine_each_owner_gets_theirs_once(database: Database) -> None:
    ended_yesterday(database)
    assert queue_due_follow_ups(database, MORNING_AFTER - timedelta(minutes=1)) == 0
    assert queue_due_follow_ups(database, MORNING_AFTER) == 2
    assert queue_due_follow_ups(database, MORNING_AFTER + timedelta(hours=1)) == 0
    written = sent(database, MORNING_AFTER)
    [evaluation] = written[ATTENDED]
    assert evaluation.startswith("Terima kasih sudah mengikuti Pelatihan QRIS")
    assert "Seberapa bermanfaat pelatihan ini" in evaluation and "5. Sangat bermanfaat" in evaluation
    assert "\"nanti\"" in evaluation and "\"berhenti\"" in evaluation
    [missed] = written[ABSENT]
    assert "Pelatihan QRIS" in missed and "GOR Tuah Pahoe" in missed and "Aula Dinas Koperasi" not in missed


def test_a_cancelled_session_or_one_nobody_was_marked_in_asks_nothing(database: Database) -> None:
    session_id = ended_yesterday(database)
    with database.engine.begin() as connection:
        connection.execute(update(TrainingSession).where(TrainingSession.id == session_id)
                           .values(cancelled_at=MORNING_AFTER - timedelta(days=3)))
    assert queue_due_follow_ups(database, MORNING_AFTER) == 0
    with database.engine.begin() as connection:
        connection.execute(update(TrainingSession).values(cancelled_at=None))
        connection.execute(update(Enrollment).values(status=Place.REGISTERED))
    assert queue_due_follow_ups(database, MORNING_AFTER) == 0


def test_the_owner_answers_the_evaluation_whole_and_each_answer_is_kept_as_it_comes(database: Database) -> None:
    session_id = ended_yesterday(database)
    queue_due_follow_ups(database, MORNING_AFTER)
    clock = Clock(MORNING_AFTER + timedelta(hours=2))
    owner = Chat(Conversations(database, clock), str(ATTENDED), TELEGRAM)
    answer = owner.say("4")
    assert "Bagaimana pelatihnya?" in answer
    assert evaluation_of(database, session_id, ATTENDED) == (4, None, None, None)
    assert "Apa dari pelatihan ini yang akan Anda terapkan" in owner.say("sangat baik")
    assert "Ada hal lain" in owner.say("mulai pakai QRIS di warung")
    done = owner.say("tidak ada")
    assert "Terima kasih! Jawaban Anda sudah diteruskan ke Dinas." in done and "Menu utama" in done
    assert evaluation_of(database, session_id, ATTENDED) == (4, 5, "mulai pakai QRIS di warung", None)
    assert follow_up_status(database) == Status.DONE
    assert "Menu utama" in owner.say("halo")  # done with: the next message is the owner's own


def test_an_owner_half_way_through_registering_answers_and_is_back_at_their_question(database: Database) -> None:
    ended_yesterday(database)
    clock = Clock(MORNING_AFTER - timedelta(hours=1))
    owner = Chat(Conversations(database, clock), str(ATTENDED), TELEGRAM)
    assert "nama usaha" in owner.say("daftar").casefold()
    clock.advance(timedelta(hours=1))
    queue_due_follow_ups(database, clock())
    owner.say("5")
    owner.say("5")
    owner.say("pembukuan")
    back = owner.say("tidak ada")
    assert "Terima kasih!" in back and "nama usaha" in back.casefold()


@pytest.mark.parametrize("stop", ["berhenti", "batal"])
def test_berhenti_stops_the_evaluation_and_keeps_what_was_answered(database: Database, stop: str) -> None:
    session_id = ended_yesterday(database)
    queue_due_follow_ups(database, MORNING_AFTER)
    owner = Chat(Conversations(database, Clock(MORNING_AFTER)), str(ATTENDED), TELEGRAM)
    owner.say("3")
    assert "tidak akan menanyakan ini lagi" in owner.say(stop)
    assert follow_up_status(database) == Status.STOPPED
    assert evaluation_of(database, session_id, ATTENDED) == (3, None, None, None)
    assert queue_due_follow_ups(database, MORNING_AFTER + timedelta(days=3)) == 0


def test_nanti_asks_once_more_three_days_later_and_not_a_third_time(database: Database) -> None:
    ended_yesterday(database)
    queue_due_follow_ups(database, MORNING_AFTER)
    clock = Clock(MORNING_AFTER)
    owner = Chat(Conversations(database, clock), str(ATTENDED), TELEGRAM)
    sent(database, clock())
    assert "tiga hari lagi" in owner.say("nanti aja")
    assert follow_up_status(database) == Status.LATER
    assert "Menu utama" in owner.say("halo")  # put off: not taken up again until it is asked again
    clock.advance(timedelta(days=3) - timedelta(minutes=1))
    assert queue_due_follow_ups(database, clock()) == 0
    clock.advance(timedelta(minutes=1))
    assert queue_due_follow_ups(database, clock()) == 1
    [again] = sent(database, clock())[ATTENDED]
    assert "Seberapa bermanfaat pelatihan ini" in again
    assert "tidak akan menanyakan ini lagi" in owner.say("nanti")
    assert follow_up_status(database) == Status.LAPSED
    clock.advance(timedelta(days=3))
    assert queue_due_follow_ups(database, clock()) == 0


def test_an_owner_with_no_chat_that_can_be_written_to_is_not_counted_as_asked(database: Database) -> None:
    ended_yesterday(database)
    with database.transaction(MORNING_AFTER) as registry:
        registry.set_blocked(TELEGRAM, str(ATTENDED), True)
    queue_due_follow_ups(database, MORNING_AFTER)
    with database.engine.connect() as connection:
        assert connection.execute(select(Evaluation.id)).all() == []
        assert [row.kind for row in connection.execute(select(OutboxMessage.kind))] == ["no_show"]


def test_the_morning_after_is_the_day_after_the_session_ends_in_wib() -> None:
    assert in_wib(MORNING_AFTER).time() == time(9)
