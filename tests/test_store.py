"""The registry store: migrations, SQLite settings, and what registering and erasing write."""

from datetime import datetime, timezone

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from store.db import Database
from store.migrate import upgrade
from store.models import AuditEvent, Base, Business, Consent, Conversation, Owner
from store.registry import NewRegistration

CONSENTED_AT = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)


def _registration(**changes: object) -> NewRegistration:
    values: dict[str, object] = dict(
        owner_name="Budi Santoso", nik="6202054107900001", phone="+6281234567890", phone_verified=True,
        business_name="Warung Bu Sari", sector="kuliner", sector_note=None, kbli_category="I",
        kabupaten_code="62.02", kecamatan_code="62.02.05", address="Jl. Tjilik Riwut No. 5", nib=None,
        year_started=2019, workers=3, modal_usaha=15_000_000, monthly_turnover=2_500_000,
        annual_turnover=30_000_000, business_class="mikro", consent_version="registration-v1",
        consent_answered_at=CONSENTED_AT,
    )
    values.update(changes)
    return NewRegistration(**values)  # type: ignore[arg-type]


def test_migrations_create_exactly_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_upgrading_twice_changes_nothing(database: Database) -> None:
    upgrade(database.url)
    with database.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "0001"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_database: Database) -> None:
    with sqlite_database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_registering_writes_owner_business_and_proof_of_consent(database: Database) -> None:
    with database.transaction() as registry:
        business = registry.register_business(None, _registration())
    assert business.registration_number == f"UMKM-6202-{business.id:06d}"
    with database.session() as session:
        consent = session.scalars(select(Consent)).one()
        assert (consent.purpose, consent.text_version, consent.accepted) == ("registration", "registration-v1", True)
        assert consent.answered_at.replace(tzinfo=timezone.utc) == CONSENTED_AT


def test_a_second_business_belongs_to_the_same_owner(database: Database) -> None:
    with database.transaction() as registry:
        first = registry.register_business(None, _registration())
    with database.transaction() as registry:
        second = registry.register_business(first.owner_id, _registration(business_name="Toko Budi", owner_name="Budi S."))
    assert second.owner_id == first.owner_id
    with database.transaction() as registry:
        owner = registry.owner_profile(first.owner_id)
        assert owner is not None and owner.name == "Budi S."
        assert [business.name for business in owner.businesses] == ["Warung Bu Sari", "Toko Budi"]


def test_erasing_keeps_only_that_it_happened(database: Database) -> None:
    with database.transaction() as registry:
        owner_id = registry.register_business(None, _registration()).owner_id
        state = registry.open_conversation("terminal", "budi")
        state.owner_id = owner_id
        registry.save_conversation(state, CONSENTED_AT)
    with database.transaction() as registry:
        registry.erase_owner(owner_id, actor="owner")
    with database.session() as session:
        for model in (Owner, Business, Consent):
            assert session.scalar(select(func.count()).select_from(model)) == 0
        assert session.scalars(select(Conversation)).one().owner_id is None
        event = session.scalars(select(AuditEvent)).one()
        assert (event.actor, event.action, event.subject) == ("owner", "owner_erased", f"owner:{owner_id}")


def test_claiming_an_inbound_message_twice(database: Database) -> None:
    with database.transaction() as registry:
        assert registry.claim_inbound("telegram", "42")
        assert not registry.claim_inbound("telegram", "42")
        assert registry.claim_inbound("whatsapp", "42")
