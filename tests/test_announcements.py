"""Announcements in the store (store/announcements.py): who a segment reaches, the rows it queues, the report.

Every test runs on SQLite and on PostgreSQL, with the registry below: ten owners, each with the chat
and the business a case needs. The clock stands still at NOW.
"""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, insert, select, update

from bot.delivery import message_text
from bot.sample import seed
from domain.channels import within_window
from domain.outbox import ANNOUNCEMENT, WITHDRAWN
from store.announcements import Cancelled, Carried, Reach, Segment
from store.db import Database
from store.models import (
    Announcement,
    Business,
    Consent,
    Conversation,
    Enrollment,
    OutboxMessage,
    Owner,
    Programme,
    TrainingSession,
    as_utc,
)
from store.officers import PROVINCE
from store.outbox import BROADCAST, PERSONAL, Delivery

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
PUSH = ("telegram", "whatsapp")
KOTIM, KAPUAS, PALANGKA = "62.02", "62.03", "62.71"

_businesses = Business.__table__
_conversations = Conversation.__table__
_outbox = OutboxMessage.__table__
_owners = Owner.__table__

# owner id: (kabupaten, class, sector) of their business, and their chats (channel, address, minutes ago, blocked)
REGISTRY: dict[int, tuple[tuple[str, str, str], list[tuple[str, str, int, bool]]]] = {
    1: ((KOTIM, "mikro", "kuliner"), [("telegram", "1001", 5, False)]),
    2: ((KOTIM, "kecil", "kriya"), [("whatsapp", "whatsapp:+6281200000002", 60, False)]),
    # chatted on both: the most recent one is used
    3: ((KOTIM, "mikro", "kuliner"), [("telegram", "1003", 600, False), ("whatsapp", "whatsapp:+6281200000003", 1, False)]),
    4: ((KAPUAS, "mikro", "kuliner"), [("telegram", "1004", 5, False)]),
    5: ((KAPUAS, "menengah", "jasa"), [("telegram", "1005", 5, True)]),  # blocked the bot
    6: ((PALANGKA, "mikro", "fesyen"), [("browser", "b-6", 5, False)]),  # only ever used the browser
    7: ((PALANGKA, "kecil", "kuliner"), [("telegram", "1007", 5, False)]),  # will say "berhenti"
    # blocked on Telegram, still on WhatsApp: reachable there
    8: ((PALANGKA, "mikro", "warung"), [("telegram", "1008", 1, True), ("whatsapp", "whatsapp:+6281200000008", 90, False)]),
    9: ((KAPUAS, "mikro", "warung"), [("telegram", "1009", 5, False)]),
    10: ((PALANGKA, "kecil", "olahan"), [("whatsapp", "whatsapp:+6281200000010", 5, False)]),
}
STOPPED = 7


@pytest.fixture
def registry_of_ten(database: Database) -> Database:
    """The ten owners above; owner 9 also has a kuliner business in Kotim, and owner 7 stopped announcements."""
    seed(database, len(REGISTRY))
    with database.engine.begin() as connection:
        connection.execute(delete(_conversations))
        for owner_id, ((kabupaten, business_class, sector), chats) in REGISTRY.items():
            connection.execute(update(_businesses).where(_businesses.c.owner_id == owner_id).values(
                kabupaten_code=kabupaten, business_class=business_class, sector=sector))
            for channel, address, minutes_ago, blocked in chats:
                connection.execute(insert(_conversations).values(
                    channel=channel, address=address, owner_id=owner_id, language="en" if owner_id == 2 else "id",
                    flow="menu", step="start", answers={}, updated_at=NOW - timedelta(minutes=minutes_ago),
                    blocked_at=NOW if blocked else None))
        first = dict(connection.execute(select(_businesses).where(_businesses.c.owner_id == 9)).mappings().one())
        connection.execute(insert(_businesses).values({
            **{key: value for key, value in first.items() if key not in ("id", "registration_number")},
            "kabupaten_code": KOTIM, "sector": "kuliner", "business_class": "kecil"}))
    with database.transaction(NOW) as registry:
        assert registry.announcements.stop(STOPPED, "test")
    return database


@pytest.mark.parametrize(("segment", "reach"), [
    (Segment(PROVINCE), Reach(recipients=7, stopped=1, blocked=1, no_chat=1)),
    (Segment(KOTIM), Reach(recipients=4)),  # 1, 2, 3 and 9 (through their second business)
    (Segment(PROVINCE, kabupaten=KAPUAS), Reach(recipients=2, blocked=1)),
    (Segment(PROVINCE, sector="kuliner"), Reach(recipients=4, stopped=1)),
    (Segment(PROVINCE, business_class="kecil"), Reach(recipients=3, stopped=1)),
    (Segment(PROVINCE, kabupaten=PALANGKA, business_class="mikro"), Reach(recipients=1, no_chat=1)),
    # every condition holds for one business: owner 9's kuliner business is in Kotim, not Kapuas
    (Segment(PROVINCE, kabupaten=KAPUAS, sector="kuliner"), Reach(recipients=1)),
    (Segment(KOTIM, sector="kuliner", business_class="kecil"), Reach(recipients=1)),
    # a kabupaten officer cannot reach another kabupaten, whatever they ask for
    (Segment(KOTIM, kabupaten=KAPUAS), Reach(recipients=0)),
    (Segment(KAPUAS, sector="fesyen"), Reach(recipients=0)),
    (Segment(PROVINCE, sector="wisata"), Reach(recipients=0)),
])
def test_a_segment_reaches_the_owners_it_chooses_and_counts_who_is_left_out(
        registry_of_ten: Database, segment: Segment, reach: Reach) -> None:
    with registry_of_ten.transaction(NOW) as registry:
        assert registry.announcements.reach(segment, PUSH) == reach


def test_the_self_assessment_level_segment_looks_at_each_business_s_latest_assessment(
        registry_of_ten: Database) -> None:
    taken = [(1, "Pemula", 30), (1, "Berkembang", 10), (2, "Pemula", 5), (4, "Mandiri", 1)]  # owner, level, days ago
    for owner_id, level, days_ago in taken:
        with registry_of_ten.transaction(NOW - timedelta(days=days_ago)) as registry:
            business_id = registry.session.scalar(select(_businesses.c.id).where(_businesses.c.owner_id == owner_id))
            registry.assessments.save(owner_id, business_id, {}, 50.0, level, {})
    with registry_of_ten.transaction(NOW) as registry:
        def chosen(segment: Segment) -> int:
            return registry.announcements.reach(segment, PUSH).recipients

        assert chosen(Segment(PROVINCE, level="Pemula")) == 1  # owner 2; owner 1 has moved on
        assert chosen(Segment(PROVINCE, level="Berkembang")) == 1
        assert chosen(Segment(KOTIM, level="Mandiri")) == 0  # owner 4 is in Kapuas
        assert chosen(Segment(KAPUAS, level="Mandiri")) == 1


def test_a_programme_segment_is_its_participants_registered_waiting_or_attended(registry_of_ten: Database) -> None:
    with registry_of_ten.engine.begin() as connection:
        programme_id, other_id = (connection.execute(insert(Programme.__table__).values(
            code=code, name=code, description="", organiser="Dinas", dimensions="keuangan", kabupaten_codes="",
            business_classes="", sectors="")).inserted_primary_key[0] for code in ("pembukuan", "kemasan"))
        session_ids = [connection.execute(insert(TrainingSession.__table__).values(
            programme_id=programme, code="b1", starts_at=NOW + timedelta(days=30), ends_at=NOW + timedelta(days=31),
            place="Aula", kabupaten_code=PALANGKA, capacity=2, signup_deadline=NOW + timedelta(days=29),
        )).inserted_primary_key[0] for programme in (programme_id, other_id)]
        for owner_id, status, session_id in [(1, "registered", 0), (4, "waitlisted", 0), (8, "attended", 0),
                                             (10, "cancelled", 0), (2, "registered", 1)]:
            connection.execute(insert(Enrollment.__table__).values(
                session_id=session_ids[session_id], owner_id=owner_id, status=status, since=NOW))
    with registry_of_ten.transaction(NOW) as registry:
        assert registry.announcements.reach(Segment(PROVINCE, programme_id=programme_id), PUSH) == Reach(3)
        assert registry.announcements.reach(Segment(KOTIM, programme_id=programme_id), PUSH) == Reach(1)
        # one session's participants, and with other conditions: each must hold
        assert registry.announcements.reach(Segment(PROVINCE, session_id=session_ids[0]), PUSH) == Reach(3)
        assert registry.announcements.reach(Segment(PROVINCE, session_id=session_ids[1]), PUSH) == Reach(1)
        assert registry.announcements.reach(
            Segment(PROVINCE, session_id=session_ids[0], business_class="mikro", sector="kuliner"), PUSH) == Reach(2)
        assert registry.announcements.reach(
            Segment(PROVINCE, programme_id=other_id, session_id=session_ids[0]), PUSH) == Reach(0)


def test_an_announcement_queues_one_row_per_recipient_on_the_chat_they_used_last(registry_of_ten: Database) -> None:
    with registry_of_ten.transaction(NOW) as registry:
        announcement_id, reach = registry.announcements.announce("Pelatihan QRIS gratis", Segment(PROVINCE), PUSH,
                                                                 author="officer:1")
    assert reach == Reach(recipients=7, stopped=1, blocked=1, no_chat=1)
    with registry_of_ten.engine.connect() as connection:
        rows = connection.execute(select(_outbox).order_by(_outbox.c.owner_id)).mappings().all()
    assert [(row["owner_id"], row["channel"], row["address"], row["language"]) for row in rows] == [
        (1, "telegram", "1001", "id"), (2, "whatsapp", "whatsapp:+6281200000002", "en"),
        (3, "whatsapp", "whatsapp:+6281200000003", "id"), (4, "telegram", "1004", "id"),
        (8, "whatsapp", "whatsapp:+6281200000008", "id"), (9, "telegram", "1009", "id"),
        (10, "whatsapp", "whatsapp:+6281200000010", "id")]
    assert {(row["kind"], row["priority"], row["status"], row["announcement_id"], row["text"]) for row in rows} == {
        (ANNOUNCEMENT, BROADCAST, Delivery.PENDING, announcement_id, None)}
    with registry_of_ten.transaction(NOW) as registry:
        report = registry.announcements.report(announcement_id)
        assert report is not None
        assert (report.text, report.author, report.segment, report.reach) == (
            "Pelatihan QRIS gratis", "officer:1", Segment(PROVINCE), reach)
        assert (report.waiting, report.sent, report.delivered, report.failed, report.cancelled) == (7, 0, 0, 0, 0)
        claimed = registry.outbox.claim(100, PUSH, NOW - timedelta(minutes=5))
        assert {row.text for row in claimed} == {"Pelatihan QRIS gratis"}  # the announcement's own words
        assert {row.kind for row in claimed} == {ANNOUNCEMENT}


def test_an_announcement_for_later_waits_until_then_and_can_be_cancelled_until_then(registry_of_ten: Database) -> None:
    later = NOW + timedelta(hours=3)
    with registry_of_ten.transaction(NOW) as registry:
        kept, reach = registry.announcements.announce("Besok pagi", Segment(KOTIM), PUSH, "officer:1", send_at=later)
        dropped, _ = registry.announcements.announce("Batal", Segment(KOTIM), PUSH, "officer:1", officer_id=None,
                                                     send_at=later)
        at_once, _ = registry.announcements.announce("Sekarang", Segment(KOTIM), PUSH, "officer:1")
    assert reach == Reach(4)
    with registry_of_ten.transaction(NOW + timedelta(hours=1)) as registry:
        assert {row.text for row in registry.outbox.claim(100, PUSH, NOW)} == {"Sekarang"}  # not a minute early
        assert registry.announcements.cancel(dropped, KAPUAS) is Cancelled.UNKNOWN  # not the officer's to cancel
        assert registry.announcements.cancel(dropped, KOTIM) is Cancelled.DONE
        assert registry.announcements.cancel(dropped, KOTIM) is Cancelled.ALREADY
        assert registry.announcements.cancel(at_once, KOTIM) is Cancelled.GONE
        report = registry.announcements.report(dropped)
        assert report is not None and (report.send_at, report.cancelled_at) == (later, NOW + timedelta(hours=1))
        assert (report.waiting, report.cancelled) == (0, 4) and not report.cancellable(registry.now)
        kept_report = registry.announcements.report(kept)
        assert kept_report is not None and kept_report.cancellable(registry.now)
    with registry_of_ten.engine.connect() as connection:
        assert set(connection.execute(select(_outbox.c.status, _outbox.c.error)
                                      .where(_outbox.c.announcement_id == dropped))) == {(Delivery.CANCELLED, WITHDRAWN)}
    with registry_of_ten.transaction(later) as registry:
        assert registry.announcements.cancel(kept, KOTIM) is Cancelled.GONE  # its time has come: on its way
        claimed = registry.outbox.claim(100, PUSH, NOW)  # those claimed an hour ago are not stale yet
        assert [row.text for row in claimed] == ["Besok pagi"] * 4


def test_a_kabupaten_officer_sees_only_their_kabupaten_s_announcements(registry_of_ten: Database) -> None:
    with registry_of_ten.transaction(NOW) as registry:
        provincial, _ = registry.announcements.announce("Untuk semua", Segment(PROVINCE), PUSH, "officer:1")
        kotim, _ = registry.announcements.announce("Untuk Kotim", Segment(KOTIM), PUSH, "officer:2")
        kapuas, _ = registry.announcements.announce("Untuk Kapuas", Segment(KAPUAS), PUSH, "officer:3")
    with registry_of_ten.transaction(NOW) as registry:
        assert [report.id for report in registry.announcements.recent(PROVINCE)] == [kapuas, kotim, provincial]
        assert [report.id for report in registry.announcements.recent(KOTIM)] == [kotim]
        assert registry.announcements.report(provincial, KOTIM) is None
        assert registry.announcements.report(kapuas, KOTIM) is None
        kotim_report = registry.announcements.report(kotim, KOTIM)
        assert kotim_report is not None and kotim_report.reach == Reach(4)


def test_the_report_follows_each_row_to_sent_delivered_failed_or_cancelled(registry_of_ten: Database) -> None:
    with registry_of_ten.transaction(NOW) as registry:
        announcement_id, _ = registry.announcements.announce("Info", Segment(PROVINCE), PUSH, "cli:test")
    with registry_of_ten.transaction(NOW) as registry:
        by_owner = {row.address: row.id for row in registry.outbox.claim(3, PUSH, NOW - timedelta(minutes=5))}
        telegram, whatsapp = by_owner["1001"], by_owner["whatsapp:+6281200000002"]
        registry.outbox.sent([(telegram, "telegram", "77", "telegram", False)])
        registry.outbox.sent([(whatsapp, "whatsapp", "SM2", "twilio", False)])
        registry.outbox.failed(by_owner["whatsapp:+6281200000003"], "Twilio 400 error 63003")
        registry.record_delivery_status("whatsapp", "SM2", "delivered", None)
    with registry_of_ten.transaction(NOW) as registry:
        assert registry.announcements.stop(4, "test")  # cancels their row, still waiting
        registry.erase_owner(9, actor="owner:9")
    with registry_of_ten.transaction(NOW) as registry:
        report = registry.announcements.report(announcement_id)
        assert report is not None
        assert (report.sent, report.delivered, report.failed, report.cancelled, report.waiting) == (1, 1, 1, 2, 2)
        recipients = registry.announcements.recipients(announcement_id)
    assert [(row.owner_name is None, row.channel, row.status, row.error) for row in recipients
            if row.status == Delivery.CANCELLED] == [(False, "telegram", Delivery.CANCELLED, "stopped"),
                                                     (True, "telegram", Delivery.CANCELLED, "erased")]
    with registry_of_ten.engine.connect() as connection:  # nothing personal stays of the erased owner's row
        assert connection.execute(select(_outbox.c.owner_id, _outbox.c.address).where(
            _outbox.c.error == "erased")).all() == [(None, "")]


def test_a_status_callback_that_comes_before_the_worker_s_commit_counts_at_the_commit(database: Database) -> None:
    with database.transaction(NOW) as registry:
        registry.outbox.queue("seat", None, "whatsapp", "whatsapp:+6281200000001", "Kabar baik")
        registry.outbox.queue("seat", None, "whatsapp", "whatsapp:+6281200000002", "Kabar baik")
    with database.transaction(NOW) as registry:
        first, second = registry.outbox.claim(2, PUSH, NOW - timedelta(minutes=5))
        registry.record_delivery_status("whatsapp", "SM1", "delivered", None)
        registry.record_delivery_status("whatsapp", "SM2", "sent", None)
        registry.record_delivery_status("whatsapp", "SM2", "undelivered", "63016")
    with database.transaction(NOW) as registry:
        registry.outbox.sent([(first.id, "whatsapp", "SM1", "twilio", False)])
        registry.outbox.sent([(second.id, "whatsapp", "SM2", "twilio", False)])
        registry.record_delivery_status("whatsapp", "SM2", "read", None)  # a failure is not undone
    with database.engine.connect() as connection:
        rows = connection.execute(select(_outbox.c.status, _outbox.c.delivered_at.is_not(None), _outbox.c.error)
                                  .order_by(_outbox.c.id)).all()
    assert [tuple(row) for row in rows] == [(Delivery.DELIVERED, True, None), (Delivery.FAILED, False, "undelivered 63016")]


def test_stopping_and_starting_again_is_recorded_each_time_and_only_when_it_changes(registry_of_ten: Database) -> None:
    with registry_of_ten.transaction(NOW) as registry:
        assert not registry.announcements.stop(STOPPED, "v1")  # already stopped
        assert registry.announcements.resume(STOPPED, "v1")
        assert not registry.announcements.resume(STOPPED, "v1")
        assert registry.announcements.receives(STOPPED)
        assert registry.announcements.reach(Segment(PROVINCE), PUSH).recipients == 8
        assert registry.announcements.stop(1, "v1")
        assert not registry.announcements.receives(1)
    with registry_of_ten.engine.connect() as connection:
        answers = connection.execute(select(Consent.owner_id, Consent.accepted).where(
            Consent.purpose == "announcements").order_by(Consent.id)).all()
    assert [tuple(answer) for answer in answers] == [(STOPPED, False), (STOPPED, True), (1, False)]


def test_one_owner_s_own_news_goes_before_a_broadcast_and_stale_claims_before_both(registry_of_ten: Database) -> None:
    with registry_of_ten.transaction(NOW) as registry:
        registry.announcements.announce("Info", Segment(PROVINCE), PUSH, "cli:test")
        registry.outbox.queue("seat", 1, "telegram", "1001", "Kabar baik")
    with registry_of_ten.transaction(NOW) as registry:
        first = registry.outbox.claim(2, PUSH, NOW - timedelta(minutes=5))
    assert [(row.kind, row.text) for row in first] == [("seat", "Kabar baik"), (ANNOUNCEMENT, "Info")]
    later = NOW + timedelta(minutes=6)  # the first claim has gone stale: its worker died
    with registry_of_ten.transaction(later) as registry:
        again = registry.outbox.claim(3, PUSH, later - timedelta(minutes=5))
    assert {row.id for row in again[:2]} == {row.id for row in first}
    assert [row.attempts for row in again] == [2, 2, 1]
    with registry_of_ten.engine.connect() as connection:
        assert connection.scalar(select(_outbox.c.priority).where(_outbox.c.kind == "seat")) == PERSONAL


def _never_asked(database: Database, *owner_ids: int) -> None:
    """These owners registered before announcements were asked about, and never answered."""
    with database.engine.begin() as connection:
        connection.execute(update(_owners).where(_owners.c.id.in_(owner_ids)).values(announcements_accepted_at=None))


def test_owners_who_never_said_yes_are_left_out_and_counted_apart_from_those_who_said_no(
        registry_of_ten: Database) -> None:
    _never_asked(registry_of_ten, 1, 5, 6)  # reachable, blocked and browser-only: all left out as not asked
    with registry_of_ten.transaction(NOW) as registry:
        assert registry.announcements.reach(Segment(PROVINCE), PUSH) == Reach(recipients=6, stopped=1, not_asked=3)
        assert registry.announcements.reach(Segment(KOTIM), PUSH) == Reach(recipients=3, not_asked=1)
        announcement_id, reach = registry.announcements.announce("Info", Segment(PROVINCE), PUSH, "cli:test")
    with registry_of_ten.transaction(NOW) as registry:
        report = registry.announcements.report(announcement_id)
        assert report is not None and report.reach == reach == Reach(6, stopped=1, not_asked=3)
        assert report.reach.chosen == 10
    with registry_of_ten.engine.connect() as connection:
        owners = set(connection.scalars(select(_outbox.c.owner_id)))
        kept = connection.execute(select(Announcement.stopped, Announcement.not_asked)).one()
    assert owners == {2, 3, 4, 8, 9, 10} and tuple(kept) == (1, 3)


def test_an_owner_never_asked_owes_an_answer_until_asked_or_until_they_answer_of_their_own(
        registry_of_ten: Database) -> None:
    _never_asked(registry_of_ten, 1, 2, 3)
    with registry_of_ten.transaction(NOW) as registry:
        announcements = registry.announcements
        assert [owner for owner in range(1, 11) if announcements.owes_an_answer(owner)] == [1, 2, 3]
        announcements.asked(1)  # asked, and not answering: not asked again, and still sent nothing
        assert announcements.resume(2, "v1")  # "mulai" of their own
        assert announcements.stop(3, "v1")  # "berhenti" of their own
        assert [owner for owner in range(1, 11) if announcements.owes_an_answer(owner)] == []
        assert [announcements.receives(owner) for owner in (1, 2, 3)] == [False, True, False]
    with registry_of_ten.transaction(NOW + timedelta(days=1)) as registry:
        registry.announcements.asked(1)  # putting it again keeps when it was first put
    with registry_of_ten.engine.connect() as connection:
        asked = connection.execute(select(_owners.c.id, _owners.c.announcements_asked_at)
                                   .where(_owners.c.announcements_asked_at.is_not(None))).all()
        answers = connection.execute(select(Consent.owner_id, Consent.accepted, Consent.text_version,
                                            Consent.answered_at).where(Consent.owner_id.in_((1, 2, 3)))
                                     .order_by(Consent.id)).all()
    assert [(owner_id, as_utc(at)) for owner_id, at in asked] == [(1, NOW)]
    assert [(owner_id, accepted, version, as_utc(at)) for owner_id, accepted, version, at in answers] == [
        (2, True, "v1", NOW), (3, False, "v1", NOW)]


@pytest.mark.parametrize(("scope", "office"), [(PROVINCE, "Provinsi Kalimantan Tengah"),
                                               (KOTIM, "Kabupaten Kotawaringin Timur")])
def test_the_worker_heads_an_announcement_with_its_sender_s_office(registry_of_ten: Database, scope: str,
                                                                    office: str) -> None:
    with registry_of_ten.transaction(NOW) as registry:
        registry.announcements.announce("Bazar UMKM", Segment(scope), PUSH, "officer:1")
        registry.outbox.queue("seat", 1, "telegram", "1001", "Kabar baik")
    with registry_of_ten.transaction(NOW) as registry:
        rows = registry.outbox.claim(100, PUSH, NOW - timedelta(minutes=5))
    texts = {(row.kind, row.address): message_text(row) for row in rows}
    assert texts[ANNOUNCEMENT, "1001"] == (
        f"Pengumuman dari Dinas Koperasi dan UKM {office}:\n\nBazar UMKM\n\n"
        "(Balas \"berhenti\" untuk berhenti menerima pengumuman, \"mulai\" untuk menerimanya lagi.)")
    assert texts[ANNOUNCEMENT, "whatsapp:+6281200000002"].startswith(  # owner 2 reads English
        f"Announcement from the Dinas Koperasi dan UKM {office}:\n\nBazar UMKM")
    assert texts["seat", "1001"] == "Kabar baik"


# -- the cost side: WhatsApp's template --------------------------------------------------------------------------

# The WhatsApp chats the province's announcement goes to, by owner: last written in so many minutes before NOW.
WHATSAPP_HEARD = {2: 60, 3: 1, 8: 90, 10: 5}


@pytest.mark.parametrize(("goes_at", "templates"), [
    (NOW, 0),  # every one of them wrote within the hour
    (NOW + timedelta(hours=22, minutes=50) - timedelta(seconds=1), 1),  # owner 8's window (with its margin) closed
    (NOW + timedelta(hours=22, minutes=50), 2),  # and owner 2's, to the second
    (NOW + timedelta(hours=23, minutes=45), 3),  # and owner 10's, to the second
    (NOW + timedelta(days=3), 4),
])
def test_the_recipients_needing_whatsapp_s_template_are_those_outside_its_24_hours_when_it_goes(
        registry_of_ten: Database, goes_at: datetime, templates: int) -> None:
    outside = [owner for owner, minutes in WHATSAPP_HEARD.items()
               if not within_window(NOW - timedelta(minutes=minutes), goes_at)]
    assert len(outside) == templates  # the same rule as the worker's, written once
    with registry_of_ten.transaction(NOW) as registry:
        assert registry.announcements.templates_needed(Segment(PROVINCE), PUSH, goes_at) == templates


def test_only_the_recipients_chat_counts_for_the_template_not_one_it_left_or_blocked(
        registry_of_ten: Database) -> None:
    later = NOW + timedelta(days=2)
    with registry_of_ten.transaction(NOW) as registry:
        announcements = registry.announcements
        # Kotim: owners 1 and 9 on Telegram, 2 and 3 on WhatsApp (3's older Telegram chat is not the one used)
        assert announcements.templates_needed(Segment(KOTIM), PUSH, later) == 2
        assert announcements.templates_needed(Segment(PROVINCE, sector="kuliner"), PUSH, later) == 1  # owner 3
        assert announcements.templates_needed(Segment(PROVINCE, kabupaten=PALANGKA), PUSH, later) == 2  # 8 and 10
        assert announcements.templates_needed(Segment(PROVINCE), ("telegram",), later) == 0
        assert announcements.stop(10, "test")  # who stopped announcements is no recipient
        assert announcements.templates_needed(Segment(PROVINCE, kabupaten=PALANGKA), PUSH, later) == 1


def test_the_report_counts_per_provider_the_messages_sent_as_free_text_and_as_templates(
        registry_of_ten: Database) -> None:
    with registry_of_ten.transaction(NOW) as registry:
        announcement_id, _ = registry.announcements.announce("Info", Segment(PROVINCE), PUSH, "cli:test")
        other_id, _ = registry.announcements.announce("Lain", Segment(KOTIM), PUSH, "cli:test")
    with registry_of_ten.transaction(NOW) as registry:
        rows = {(row.text, row.address): row.id for row in registry.outbox.claim(100, PUSH, NOW)}

        def row_of(address: str, text: str = "Info") -> int:
            return rows[text, address]

        assert registry.announcements.carried(announcement_id) == []  # nothing sent yet
        registry.outbox.sent([
            (row_of("1001"), "telegram", "71", "telegram", False),
            (row_of("1004"), "telegram", "74", "telegram", False),
            (row_of("whatsapp:+6281200000002"), "whatsapp", "SM2", "twilio", False),
            (row_of("whatsapp:+6281200000003"), "whatsapp", "SM3", "twilio", True),
            (row_of("whatsapp:+6281200000010"), "whatsapp", "wamid.10", "cloud", True),
            (row_of("1001", "Lain"), "telegram", "81", "telegram", False),  # another announcement's
        ])
        registry.outbox.failed(row_of("whatsapp:+6281200000008"), "Twilio 400 error 63016")  # never sent: not counted
        registry.record_delivery_status("whatsapp", "SM3", "delivered", None)  # delivered still went as a template
        registry.record_delivery_status("whatsapp", "SM2", "undelivered", "63024")  # and failed after, as free text
    with registry_of_ten.transaction(NOW) as registry:
        registry.erase_owner(4, actor="owner:4")  # an erased owner's message stays counted
        assert registry.announcements.carried(announcement_id) == [
            Carried("cloud", free_text=0, template=1),
            Carried("telegram", free_text=2, template=0),
            Carried("twilio", free_text=1, template=1),
        ]
        assert registry.announcements.carried(other_id) == [Carried("telegram", free_text=1, template=0)]
