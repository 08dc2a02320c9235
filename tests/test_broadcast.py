"""An announcement to thousands of owners delivered by real `tabe worker` processes against the fake providers.

Crash safety: a worker killed with SIGKILL in the middle of a 10,000-recipient announcement, and a
new one started, complete it with nothing lost. A row is sent twice only if the kill fell between
the provider taking it and the commit of its outcome: such a row is still `sending` in the outbox
(claimed, not recorded), so the duplicates are at most the rows left `sending` by the kill. The
new worker's clock starts past the claim timeout, as a dead worker's claims go stale only then.

Several workers on PostgreSQL share one announcement, each row claimed by one of them
(`FOR UPDATE SKIP LOCKED`): every owner gets it exactly once.
"""

import os
import re
import signal
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from test_worker import wait_for, worker_process
from worker_at import command

from bot.delivery import CLAIM_TIMEOUT
from bot.sample import seed
from domain.channels import PUSH_CHANNELS
from fake_telegram import FakeTelegram
from fake_twilio import FakeTwilio
from server import TABE
from store.announcements import Segment
from store.db import Database
from store.models import OutboxMessage, utcnow
from store.officers import PROVINCE
from whatsapp_phone import PUBLIC, whatsapp_settings

ANNOUNCED = "Pelatihan QRIS gratis di Sampit, 3 Februari 2027."
UNLIMITED = "1000000"  # messages per second: the channel limits lifted, so the test is as quick as the machinery
TICK = 0.2


@pytest.fixture
def fake_twilio(database: Database) -> Iterator[FakeTwilio]:
    """The fake Twilio, taking the credentials the tests' WhatsApp settings hold."""
    settings = whatsapp_settings(database)
    with FakeTwilio(account_sid=settings.twilio_account_sid, auth_token=settings.twilio_auth_token) as fake:
        yield fake


def announce_to_sample_owners(database: Database, owners: int) -> None:
    """`owners` sample owners (bulk inserts), each with a Telegram or WhatsApp chat, and an announcement to all."""
    seed(database, owners)
    with database.transaction() as registry:
        _, reach = registry.announcements.announce(ANNOUNCED, Segment(PROVINCE), PUSH_CHANNELS, "test")
    assert reach.recipients == owners


def environment(database: Database, telegram: FakeTelegram, twilio: FakeTwilio,
                per_second: str = UNLIMITED) -> dict[str, str]:
    """Both channels on, against the fakes, at `per_second` each (by default no limit); the approved template."""
    whatsapp = whatsapp_settings(database)
    keep = {name: value for name, value in os.environ.items() if not name.startswith(("TELEGRAM_", "TWILIO_"))}
    return {**keep, "DATABASE_URL": database.url,
            "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_BASE_URL": telegram.origin, "TELEGRAM_MPS": per_second,
            "TWILIO_ACCOUNT_SID": whatsapp.twilio_account_sid, "TWILIO_AUTH_TOKEN": whatsapp.twilio_auth_token,
            "TWILIO_WHATSAPP_FROM": whatsapp.twilio_whatsapp_from, "TWILIO_API_BASE_URL": twilio.base_url,
            "TWILIO_MPS": per_second, "TWILIO_ANNOUNCEMENT_CONTENT_SID": "HX" + "5" * 32, "PUBLIC_BASE_URL": PUBLIC}


def received(telegram: FakeTelegram, twilio: FakeTwilio) -> Counter[str]:
    """How many times each address got a message the provider took."""
    return Counter([str(call.chat_id) for call in telegram.calls_to("sendMessage") if call.status == 200]
                   + [message.to for message in twilio.messages])


def statuses(database: Database) -> Counter[str]:
    with database.engine.connect() as connection:
        return Counter({status: count for status, count in connection.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))})


def addresses(database: Database) -> list[str]:
    with database.engine.connect() as connection:
        return list(connection.scalars(select(OutboxMessage.address)))


def test_a_worker_killed_mid_announcement_and_started_again_completes_it_with_duplicates_only_in_flight(
        database: Database, fake_telegram: FakeTelegram, fake_twilio: FakeTwilio, tmp_path: Path) -> None:
    recipients = 10_000
    announce_to_sample_owners(database, recipients)
    settings, log = environment(database, fake_telegram, fake_twilio), tmp_path / "worker.log"

    with worker_process(settings, log, [str(TABE), "worker"]) as first:
        wait_for(lambda: received(fake_telegram, fake_twilio).total() >= recipients // 4
                 and statuses(database)["sending"] > 0, "a quarter sent and a batch under way", timeout=120)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
    assert first.returncode == -signal.SIGKILL, log.read_text()
    before_restart = received(fake_telegram, fake_twilio).total()
    in_flight = statuses(database)["sending"]  # claimed, outcome not committed: the only rows that can go twice
    assert 0 < in_flight and before_restart < recipients, f"not killed mid-way: {before_restart} sent, {in_flight} in flight"

    with worker_process(settings, log, command(utcnow() + CLAIM_TIMEOUT + timedelta(minutes=1), TICK)) as second:
        wait_for(lambda: statuses(database) == Counter(sent=recipients), "every row recorded sent", timeout=180)
        second.terminate()
        second.wait(timeout=20)
    assert second.returncode == 0, log.read_text()

    got = received(fake_telegram, fake_twilio)
    assert set(got) == set(addresses(database)) and len(got) == recipients  # every owner got it
    duplicates = got.total() - recipients
    assert duplicates <= in_flight, f"{duplicates} sent twice, but only {in_flight} were in flight at the kill"


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_two_workers_on_postgresql_share_one_announcement_and_each_owner_gets_it_once(
        database: Database, fake_telegram: FakeTelegram, fake_twilio: FakeTwilio, tmp_path: Path) -> None:
    recipients = 3_000
    # A worker claims what its channels send in two seconds: unlimited, that would be every row at once.
    settings = environment(database, fake_telegram, fake_twilio, per_second="250")
    logs = [tmp_path / "one.log", tmp_path / "two.log"]
    start = utcnow()
    with worker_process(settings, logs[0], command(start, TICK)) as one, \
            worker_process(settings, logs[1], command(start, TICK)) as two:
        wait_for(lambda: all("worker started" in log.read_text() for log in logs), "both workers started")
        announce_to_sample_owners(database, recipients)
        wait_for(lambda: statuses(database) == Counter(sent=recipients), "every row recorded sent", timeout=120)
        for worker in (one, two):
            worker.terminate()
            worker.wait(timeout=20)
    assert (one.returncode, two.returncode) == (0, 0)

    got = received(fake_telegram, fake_twilio)
    assert got == Counter(dict.fromkeys(addresses(database), 1))
    sent_by = [sum(int(count) for count in re.findall(r"outbox: .*?(\d+) sent", log.read_text())) for log in logs]
    assert sum(sent_by) == recipients and min(sent_by) > 0, f"both workers should have taken part: {sent_by}"
