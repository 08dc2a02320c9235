"""Showing owners the data the registry holds about them ("data saya")."""

from domain.assessment import Level
from domain.classes import BusinessClass
from domain.msgid import N_
from domain.wib import in_wib
from flows.engine import Turn
from flows.messages import Reply
from flows.notices import place_held, where_and_when
from flows.places import show_place
from flows.registration import NOTHING_REGISTERED, Registration, show_money, show_nib, show_nik, show_phone
from flows.scoring import shown_score
from flows.sectors import show_sector
from store.models import Business, Owner

ANNOUNCEMENTS_ON = N_("Announcements from the Dinas: on (type \"berhenti\" to stop them)")
ANNOUNCEMENTS_STOPPED = N_("Announcements from the Dinas: stopped (type \"mulai\" to receive them again)")
ANNOUNCEMENTS_NOT_CHOSEN = N_("Announcements from the Dinas: not chosen yet, so none are sent (type \"mulai\" to "
                              "receive them)")


def _announcements_line(turn: Turn, owner: Owner) -> str:
    """On, stopped by the owner's no, or never chosen (an owner who was never asked, or did not answer)."""
    if turn.registry.announcements.receives(owner.id):
        return ANNOUNCEMENTS_ON
    return ANNOUNCEMENTS_STOPPED if owner.announcements_stopped_at is not None else ANNOUNCEMENTS_NOT_CHOSEN


def registered_owner(turn: Turn) -> Owner | None:
    """The owner this chat belongs to, with their businesses; None before registering."""
    return turn.registry.owner_profile(turn.state.owner_id) if turn.state.owner_id is not None else None


def show_profile(turn: Turn) -> Reply:
    """Everything stored about this owner, NIK masked, and any registration not finished yet."""
    owner = registered_owner(turn)
    lines = _registered_lines(owner, turn) if owner is not None else []
    registration = Registration()
    if turn.has_answers(registration.name):
        answered, total = registration.progress(turn)
        lines += [turn.text(N_("A registration is not finished yet (%(answered)s of %(total)s answered); it is "
                               "not in the registry until you save it. Its answers so far:"),
                            answered=answered, total=total),
                  *registration.answer_lines(turn), ""]
    if not lines:
        return Reply(turn.text(NOTHING_REGISTERED))
    if owner is not None:
        lines.append(turn.text(N_("To correct your data, type \"ubah data\"; to delete it, \"hapus data saya\".")))
    else:
        lines.append(turn.text(N_("To delete these answers, type \"hapus data saya\".")))
    return Reply("\n".join(lines))


def _registered_lines(owner: Owner, turn: Turn) -> list[str]:
    t = turn.text
    phone_note = t(N_("verified")) if owner.phone_verified else t(N_("not verified"))
    lines = [
        t(N_("Your data in the UMKM registry:")),
        t(N_("Name: %(value)s"), value=owner.name),
        t(N_("NIK: %(value)s"), value=show_nik(owner.nik, turn)),
        t(N_("Phone: %(value)s (%(note)s)"), value=show_phone(owner.phone, turn), note=phone_note),
    ]
    for business in owner.businesses:
        lines += ["", *_business_lines(business, turn)]
        assessed = turn.registry.assessments.latest(business.id)
        if assessed is not None:
            lines.append(t(N_("Last self-assessment: a score of %(score)s, level %(level)s, on %(date)s"),
                           score=shown_score(assessed.score), level=t(Level(assessed.level).label),
                           date=t.date(in_wib(assessed.taken_at).date())))
    lines += ["", t(_announcements_line(turn, owner)), *_training_lines(owner.id, turn)]
    return [*lines, ""]


def _training_lines(owner_id: int, turn: Turn) -> list[str]:
    """The sessions the owner attended, and apart their places in sessions ahead; nothing of either they lack."""
    t = turn.text
    training = turn.registry.training
    lines: list[str] = []
    attended = training.attended_by(owner_id)
    if attended:
        lines += ["", t(N_("Training you attended:"))]
        lines += [t(N_("- %(programme)s, %(date)s, %(place)s"), programme=session.programme_name,
                    date=t.date(in_wib(session.starts_at).date()), place=where_and_when(session, t)["place"])
                  for session in attended]
    ahead = training.upcoming_of(owner_id)
    if ahead:
        lines += ["", t(N_("Your places in training ahead (see \"jadwal\"):"))]
        lines += [t(N_("- %(programme)s, %(when)s, %(place)s: %(held)s"), **where_and_when(session, t),
                    held=place_held(session, t))
                  for session in ahead]
    return lines


def _business_lines(business: Business, turn: Turn) -> list[str]:
    t = turn.text
    sector = show_sector(business.sector, turn)
    if business.sector_note:
        sector = f"{sector} ({business.sector_note})"
    return [
        t(N_("Business: %(name)s"), name=business.name),
        t(N_("Registration number: %(value)s"), value=business.registration_number),
        t(N_("Kind: %(value)s"), value=sector),
        t(N_("Place: %(kecamatan)s, %(kabupaten)s"), kecamatan=show_place(business.kecamatan_code, turn),
          kabupaten=show_place(business.kabupaten_code, turn)),
        t(N_("Address: %(value)s"), value=business.address),
        t(N_("NIB: %(value)s"), value=show_nib(business.nib, turn)),
        t(N_("Started: %(year)s; workers: %(workers)s"), year=business.year_started, workers=business.workers),
        t(N_("Capital: %(modal)s; monthly turnover: %(turnover)s"), modal=show_money(business.modal_usaha, turn),
          turnover=show_money(business.monthly_turnover, turn)),
        t(N_("Class: %(value)s"), value=t(BusinessClass(business.business_class).label)),
        t(N_("Registered on: %(date)s"), date=turn.text.date(in_wib(business.registered_at).date())),
        *([t(N_("No longer operating, as you told us on %(date)s"), date=t.date(in_wib(business.closed_at).date()))]
          if business.closed_at is not None else []),
    ]
