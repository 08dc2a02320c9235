"""Surveys the Dinas starts for a segment (store/follow_ups.py): a follow-up per business chosen, one message per owner
written in set-based statements, and the response counted per survey; the owner's side (flows/data_update.py,
flows/reassessment.py): the business's figures brought up to date, or its self-assessment again."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update

from bot.delivery import message_text
from domain.channels import PUSH_CHANNELS, TELEGRAM
from domain.outbox import NOTHING_TO_ASK
from flows.conversation import Conversations
from store.announcements import Segment
from store.db import Database
from store.follow_ups import Kind, Status
from store.models import Assessment, AuditEvent, Business, BusinessFigure, FollowUp, OutboxMessage, as_utc
from store.officers import PROVINCE
from store.registry import BusinessDetails
from transcript import Chat, Clock, Owners, add_owners

NOW = datetime(2027, 2, 1, 2, 0, tzinfo=timezone.utc)
PALANGKA_RAYA, KATINGAN = "62.71", "62.06"


def second_business(database: Database, owner_id: int) -> int:
    """Give an owner another business in Palangka Raya; its id."""
    with database.transaction(NOW) as registry:
        return registry.register_business(owner_id, BusinessDetails(
            "Kedai Kopi Kedua", "kuliner", None, "I", PALANGKA_RAYA, "62.71.01", "Jl. Kedua 2", None, 2020, 2,
            10_000_000, 5_000_000, 60_000_000, "mikro")).id


def owners_of_every_kind(database: Database) -> dict[str, list[int]]:
    """Owners in Palangka Raya of every kind a survey must tell apart, and one in Katingan."""
    kinds = {how: add_owners(database, Owners(count, PALANGKA_RAYA, "kuliner", "mikro", how), NOW)
             for how, count in (("telegram", 3), ("stopped", 1), ("blocked", 1), ("browser", 1), ("unasked", 1))}
    kinds["elsewhere"] = add_owners(database, Owners(1, KATINGAN, "kuliner", "mikro"), NOW)
    return kinds


def start(database: Database, segment: Segment, officer_id: int | None = None,
          kind: Kind = Kind.UPDATE) -> tuple[int, int]:
    """Start a survey, and take its messages as a worker does (which writes their follow-ups)."""
    with database.transaction(NOW) as registry:
        survey_id, recipients = registry.follow_ups.start_survey(kind, segment, PUSH_CHANNELS, "test", officer_id)
    taken(database, survey_id)
    return survey_id, recipients


def taken(database: Database, survey_id: int) -> set[int]:
    """A worker takes a survey's messages: their follow-ups are written; the rows with nothing to ask."""
    with database.transaction(NOW) as registry:
        return registry.follow_ups.ask_surveyed(registry.session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.survey_id == survey_id)).all())


def test_a_survey_asks_about_every_business_chosen_and_writes_each_owner_once(database: Database) -> None:
    kinds = owners_of_every_kind(database)
    two_businesses, plain, closed = kinds["telegram"]
    added = second_business(database, two_businesses)
    with database.engine.begin() as connection:
        connection.execute(update(Business).where(Business.owner_id == closed).values(closed_at=NOW - timedelta(days=9)))
    with database.transaction(NOW) as registry:
        assert registry.follow_ups.survey_reach(Segment(PROVINCE, kabupaten=PALANGKA_RAYA), PUSH_CHANNELS) == (3, 4)
    survey_id, recipients = start(database, Segment(PROVINCE, kabupaten=PALANGKA_RAYA))
    # "berhenti" said, the bot blocked, only the browser: left out; never asked about announcements is no "berhenti".
    asked = [two_businesses, plain, *kinds["unasked"]]
    assert recipients == 3
    with database.engine.connect() as connection:
        follow_ups = connection.execute(select(FollowUp.id, FollowUp.owner_id, FollowUp.business_id, FollowUp.kind,
                                               FollowUp.status, FollowUp.asks)
                                        .where(FollowUp.survey_id == survey_id).order_by(FollowUp.id)).all()
        rows = connection.execute(select(OutboxMessage.owner_id, OutboxMessage.kind, OutboxMessage.address,
                                         OutboxMessage.priority)
                                  .where(OutboxMessage.survey_id == survey_id).order_by(OutboxMessage.owner_id)).all()
        first_business = connection.scalar(select(Business.id).where(Business.owner_id == two_businesses,
                                                                       Business.id != added))
        audited = connection.scalar(select(AuditEvent.id).where(AuditEvent.action == "survey_started"))
    assert [(row.owner_id, row.business_id) for row in follow_ups][:2] == [(two_businesses, first_business),
                                                                            (two_businesses, added)]
    assert sorted({row.owner_id for row in follow_ups}) == asked and len(follow_ups) == 4
    assert {(row.kind, row.status, row.asks) for row in follow_ups} == {(Kind.UPDATE, Status.ASKED, 1)}
    assert [(row.owner_id, row.kind) for row in rows] == [(owner_id, Kind.UPDATE) for owner_id in asked]
    with database.engine.connect() as connection:
        first_name = connection.scalar(select(Business.name).where(Business.id == first_business))
    # About the first business; the second is offered after it.
    assert f"memperbarui data {first_name}." in "".join(_sent_to(database, two_businesses))
    assert rows[0].address == f"owner-{two_businesses}" and rows[0].priority == 1  # after anyone's own news
    assert audited is None  # the command line's, with no officer: nobody to audit


def test_a_surveys_follow_ups_are_written_as_the_worker_takes_its_messages_once_each(database: Database) -> None:
    kinds = owners_of_every_kind(database)
    two_businesses, plain, closed = kinds["telegram"]
    second_business(database, two_businesses)
    with database.transaction(NOW) as registry:
        survey_id, recipients = registry.follow_ups.start_survey(Kind.UPDATE, Segment(PROVINCE, kabupaten=PALANGKA_RAYA),
                                                                 PUSH_CHANNELS, "test")
    with database.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(FollowUp)) == 0  # nothing asked before it goes
    with database.engine.begin() as connection:  # meanwhile the plain owner's business closes: nothing to ask
        connection.execute(update(Business).where(Business.owner_id == plain).values(closed_at=NOW))
    with database.transaction(NOW) as registry:
        claimed = registry.claim_outbox(100, PUSH_CHANNELS, NOW)
    with database.transaction(NOW + timedelta(minutes=10)) as registry:  # taken again, as after a worker's crash
        again = registry.claim_outbox(100, PUSH_CHANNELS, NOW + timedelta(minutes=5))
    assert len(claimed) == recipients - 1 and {row.id for row in again} == {row.id for row in claimed}
    with database.engine.connect() as connection:
        asked = connection.execute(select(FollowUp.owner_id, FollowUp.business_id).where(FollowUp.survey_id == survey_id)
                                   .order_by(FollowUp.id)).all()
        dropped = connection.execute(select(OutboxMessage.status, OutboxMessage.error)
                                     .where(OutboxMessage.owner_id == plain)).one()
    assert [owner for owner, _business in asked].count(two_businesses) == 2 and plain not in {o for o, _ in asked}
    assert len(asked) == len(set(asked))  # once each, however often taken
    assert tuple(dropped) == ("cancelled", NOTHING_TO_ASK)


def test_a_survey_started_twice_with_one_request_key_is_started_once(database: Database) -> None:
    owners_of_every_kind(database)
    segment = Segment(PROVINCE, kabupaten=PALANGKA_RAYA)
    with database.transaction(NOW) as registry:
        first = registry.follow_ups.start_survey(Kind.UPDATE, segment, PUSH_CHANNELS, "Rina", request_key="form-1")
        again = registry.follow_ups.start_survey(Kind.UPDATE, segment, PUSH_CHANNELS, "Rina", request_key="form-1")
        other = registry.follow_ups.start_survey(Kind.UPDATE, segment, PUSH_CHANNELS, "Rina", request_key="form-2")
    assert again == first and other[0] != first[0] and first[1] == other[1] > 0
    with database.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.survey_id == first[0])) == first[1]


def test_a_survey_reaches_only_its_segment_inside_the_officers_scope_and_is_audited(database: Database) -> None:
    kinds = owners_of_every_kind(database)
    with database.transaction(NOW) as registry:
        officer_id = registry.officers.add("Petugas Katingan", "+6281200000001", None, KATINGAN, actor="test")
    survey_id, recipients = start(database, Segment(KATINGAN), officer_id, Kind.REASSESSMENT)
    assert recipients == 1
    with database.engine.connect() as connection:
        assert connection.scalars(select(FollowUp.owner_id).where(FollowUp.survey_id == survey_id)).all() == \
            kinds["elsewhere"]
        assert connection.execute(select(AuditEvent.actor, AuditEvent.subject).where(
            AuditEvent.action == "survey_started")).one() == (f"officer:{officer_id}", f"survey:{survey_id}")
    nobody, none = start(database, Segment(PROVINCE, kabupaten=PALANGKA_RAYA, business_class="menengah"))
    assert none == 0
    with database.transaction(NOW) as registry:
        assert registry.follow_ups.survey_report(nobody).asked == 0
        assert registry.follow_ups.survey_report(nobody).response_rate is None


def test_a_surveys_report_counts_its_follow_ups_by_status_and_its_response_rate(database: Database) -> None:
    owners = add_owners(database, Owners(5, PALANGKA_RAYA, "kuliner", "mikro"), NOW)
    survey_id, _recipients = start(database, Segment(PROVINCE, kabupaten=PALANGKA_RAYA))
    with database.transaction(NOW + timedelta(hours=1)) as registry:
        follow_ups = registry.follow_ups
        ids = {owner_id: follow_ups.waiting(owner_id).id for owner_id in owners}
        for owner_id in owners[:2]:
            follow_ups.take_up(ids[owner_id])
            follow_ups.finish(ids[owner_id])
        follow_ups.take_up(ids[owners[2]])
        follow_ups.put_off(ids[owners[3]], NOW + timedelta(days=3))
        follow_ups.stop(ids[owners[4]])
    katingan = add_owners(database, Owners(1, KATINGAN, "kuliner", "mikro"), NOW)
    other_id, _ = start(database, Segment(KATINGAN), kind=Kind.REASSESSMENT)
    with database.transaction(NOW + timedelta(hours=2)) as registry:
        report = registry.follow_ups.survey_report(survey_id)
        listed = registry.follow_ups.surveys()
        in_katingan = registry.follow_ups.surveys(KATINGAN)
        assert registry.follow_ups.survey_report(survey_id, KATINGAN) is None  # the province's, out of reach
        assert registry.follow_ups.waiting(katingan[0]).kind == Kind.REASSESSMENT
    assert report.kind == Kind.UPDATE and report.recipients == 5 and report.author == "test"
    assert report.segment == Segment(PROVINCE, kabupaten=PALANGKA_RAYA) and report.created_at == NOW
    assert report.counts == {Status.ASKED: 0, Status.STARTED: 1, Status.LATER: 1, Status.DONE: 2, Status.STOPPED: 1,
                             Status.LAPSED: 0}
    assert report.response_rate == 2 / 5
    assert [(survey.id, survey.counts) for survey in listed] == [
        (other_id, {**dict.fromkeys(Status, 0), Status.ASKED: 1}), (survey_id, report.counts)]
    assert [survey.id for survey in in_katingan] == [other_id]


def test_berhenti_on_one_business_stops_the_survey_for_the_owners_others(database: Database) -> None:
    [owner_id] = add_owners(database, Owners(1, PALANGKA_RAYA, "kuliner", "mikro"), NOW)
    second_business(database, owner_id)
    start(database, Segment(PROVINCE))
    later, _ = start(database, Segment(PROVINCE), kind=Kind.REASSESSMENT)
    with database.transaction(NOW) as registry:
        first = registry.follow_ups.waiting(owner_id)
        assert first.kind == Kind.UPDATE and first.business_name is not None
        registry.follow_ups.stop(first.id)
        assert registry.follow_ups.waiting(owner_id).survey_id == later  # another survey is another question
    with database.engine.connect() as connection:
        assert connection.scalars(select(FollowUp.status).where(FollowUp.kind == Kind.UPDATE)).all() == \
            [Status.STOPPED, Status.STOPPED]


def owner_chat(database: Database, owner_id: int, clock: Clock) -> Chat:
    return Chat(Conversations(database, clock), f"owner-{owner_id}", TELEGRAM)


def business_of(database: Database, business_id: int) -> tuple:
    """A business's class, workers, capital, monthly turnover, NIB and when it was recorded closed (in UTC: SQLite
    keeps no zone)."""
    with database.engine.connect() as connection:
        *figures, closed = connection.execute(select(Business.business_class, Business.workers, Business.modal_usaha,
                                                     Business.monthly_turnover, Business.nib, Business.closed_at)
                                              .where(Business.id == business_id)).one()
    return (*figures, as_utc(closed) if closed is not None else None)


def only_business(database: Database, owner_id: int) -> int:
    with database.engine.connect() as connection:
        return connection.scalar(select(func.min(Business.id)).where(Business.owner_id == owner_id))


def test_a_data_update_is_answered_with_registrations_words_and_the_class_is_kept_dated(database: Database) -> None:
    [owner_id] = add_owners(database, Owners(1, PALANGKA_RAYA, "kuliner", "mikro"), NOW)
    business_id = only_business(database, owner_id)
    start(database, Segment(PROVINCE))
    [invitation] = _sent_to(database, owner_id)
    with database.engine.connect() as connection:
        name = connection.scalar(select(Business.name).where(Business.id == business_id))
    assert f"Dinas Koperasi dan UKM sedang memperbarui data {name}." in invitation
    assert "Apakah usaha ini masih berjalan?" in invitation and "1. Ya" in invitation and "\"nanti\"" in invitation
    owner = owner_chat(database, owner_id, Clock(NOW + timedelta(hours=1)))
    assert "Berapa orang yang bekerja" in owner.say("masih")
    assert "modal" in owner.say("saya + 4 karyawan").casefold()
    owner.say("2 miliar")
    assert "NIB" in owner.say("300jt")
    done = owner.say("9120301234567")
    assert f"Data {name} sudah diperbarui" in done and "Usaha Kecil" in done
    assert business_of(database, business_id) == ("kecil", 5, 2_000_000_000, 300_000_000, "9120301234567", None)
    with database.engine.connect() as connection:
        assert connection.scalars(select(BusinessFigure.source).where(BusinessFigure.business_id == business_id)
                                  .order_by(BusinessFigure.id)).all()[-1] == "update"
        assert connection.scalar(select(FollowUp.status)) == Status.DONE


def _sent_to(database: Database, owner_id: int) -> list[str]:
    """What the worker writes to the owner's chat now (the sample chats' addresses are owner-ID)."""
    with database.transaction(NOW) as registry:
        rows = registry.outbox.queued_for(f"owner-{owner_id}")
    return [message_text(row) for row in rows]


def test_a_business_no_longer_operating_is_recorded_closed_and_surveyed_no_more(database: Database) -> None:
    [owner_id] = add_owners(database, Owners(1, PALANGKA_RAYA, "kuliner", "mikro"), NOW)
    business_id = only_business(database, owner_id)
    start(database, Segment(PROVINCE))
    owner = owner_chat(database, owner_id, Clock(NOW))
    closed = owner.say("tidak")
    assert "tidak berjalan lagi" in closed and "Menu utama" in closed
    assert business_of(database, business_id)[-1] == NOW
    assert "Sudah tidak berjalan" in owner.say("data saya")
    assert start(database, Segment(PROVINCE))[1] == 0


def test_an_owner_with_two_businesses_is_asked_about_the_second_when_the_first_is_done(database: Database) -> None:
    [owner_id] = add_owners(database, Owners(1, PALANGKA_RAYA, "kuliner", "mikro"), NOW)
    first = only_business(database, owner_id)
    second = second_business(database, owner_id)
    start(database, Segment(PROVINCE))
    assert len(_sent_to(database, owner_id)) == 1
    owner = owner_chat(database, owner_id, Clock(NOW))
    offered = owner.say("tidak")
    assert "tidak berjalan lagi" in offered and "sedang memperbarui data Kedai Kopi Kedua" in offered
    for answer in ("ya", "3", "50 juta", "20 juta"):
        owner.say(answer)
    assert "Data Kedai Kopi Kedua sudah diperbarui" in owner.say("belum punya")
    assert business_of(database, second) == ("mikro", 3, 50_000_000, 20_000_000, None, None)
    assert business_of(database, first)[-1] == NOW


def test_a_reassessment_asks_the_self_assessment_again_and_keeps_it_as_the_latest(database: Database) -> None:
    [owner_id] = add_owners(database, Owners(1, PALANGKA_RAYA, "jasa", "mikro"), NOW)
    business_id = only_business(database, owner_id)
    start(database, Segment(PROVINCE), kind=Kind.REASSESSMENT)
    [invitation] = _sent_to(database, owner_id)
    assert "penilaian mandiri" in invitation and "Apakah usaha Anda sudah punya NIB dari OSS?" in invitation
    owner = owner_chat(database, owner_id, Clock(NOW))
    answer = owner.say("3")
    for _question in range(20):
        if "Penilaian mandiri" in answer:
            break
        answer = owner.say("1")
    assert "skor" in answer and "Menu utama" in answer
    with database.engine.connect() as connection:
        kept = connection.execute(select(Assessment.points, Assessment.latest).where(
            Assessment.business_id == business_id)).all()
        assert connection.scalar(select(FollowUp.status)) == Status.DONE
    assert [latest for _points, latest in kept] == [True]
    assert kept[0].points["nib"] == 3 and "izin_edar" not in kept[0].points  # a service sells no food: no food permit asked
