"""The named queries the conversations need; the only place that touches a database session."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload


from store.models import AuditEvent, Business, Consent, Conversation, InboundMessage, Owner


@dataclass(frozen=True, slots=True)
class NewRegistration:
    """Everything the registration flow collected, ready to be written."""

    owner_name: str
    nik: str
    phone: str
    phone_verified: bool
    business_name: str
    sector: str
    sector_note: str | None
    kbli_category: str
    kabupaten_code: str
    kecamatan_code: str
    address: str
    nib: str | None
    year_started: int
    workers: int
    modal_usaha: int
    monthly_turnover: int
    annual_turnover: int
    business_class: str
    consent_version: str
    consent_answered_at: datetime


class Registry:
    """One unit of work on the registry; it commits or rolls back as a whole."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _insert(self, table):  # type: ignore[no-untyped-def]
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def claim_inbound(self, channel: str, provider_message_id: str) -> bool:
        """Record a provider message id; False when it was handled before."""
        inserted = self.session.execute(
            self._insert(InboundMessage)
            .values(channel=channel, provider_message_id=provider_message_id)
            .on_conflict_do_nothing()
            .returning(InboundMessage.channel)
        ).first()
        return inserted is not None

    def open_conversation(self, channel: str, address: str) -> Conversation:
        """The conversation of one chat address, locked until this unit of work ends."""
        self.session.execute(
            self._insert(Conversation)
            .values(channel=channel, address=address, flow="menu", step="start", answers={})
            .on_conflict_do_nothing()
        )
        return self.session.scalars(
            select(Conversation)
            .where(Conversation.channel == channel, Conversation.address == address)
            .with_for_update()
        ).one()

    def register_business(self, owner_id: int | None, new: NewRegistration) -> Business:
        """Write the owner (new or updated), their consent and the business; number it."""
        owner = self.session.get(Owner, owner_id) if owner_id is not None else None
        if owner is None:
            owner = Owner(name=new.owner_name, nik=new.nik, phone=new.phone)
            self.session.add(owner)
        owner.name, owner.nik, owner.phone = new.owner_name, new.nik, new.phone
        owner.phone_verified = new.phone_verified
        business = Business(
            owner=owner,
            name=new.business_name,
            sector=new.sector,
            sector_note=new.sector_note,
            kbli_category=new.kbli_category,
            kabupaten_code=new.kabupaten_code,
            kecamatan_code=new.kecamatan_code,
            address=new.address,
            nib=new.nib,
            year_started=new.year_started,
            workers=new.workers,
            modal_usaha=new.modal_usaha,
            monthly_turnover=new.monthly_turnover,
            annual_turnover=new.annual_turnover,
            business_class=new.business_class,
        )
        self.session.add(business)
        owner.consents.append(Consent(
            purpose="registration", text_version=new.consent_version,
            accepted=True, answered_at=new.consent_answered_at,
        ))
        self.session.flush()
        business.registration_number = registration_number(new.kabupaten_code, business.id)
        return business

    def owner_profile(self, owner_id: int) -> Owner | None:
        """The owner with their businesses, for showing them their own data."""
        return self.session.scalars(
            select(Owner).where(Owner.id == owner_id).options(selectinload(Owner.businesses))
        ).one_or_none()

    def erase_owner(self, owner_id: int, actor: str) -> None:
        """Delete an owner and all that hangs on them; keep only the fact that it happened."""
        owner = self.session.get(Owner, owner_id)
        if owner is None:
            return
        self.session.delete(owner)
        self.session.add(AuditEvent(actor=actor, action="owner_erased", subject=f"owner:{owner_id}"))


def registration_number(kabupaten_code: str, business_id: int) -> str:
    """A number an owner can read out on the phone: kabupaten code, then the row id."""
    return f"UMKM-{kabupaten_code.replace('.', '')}-{business_id:06d}"
