"""Messages to owners who are not chatting at that moment, queued in the outbox for the worker.

Only channels that can start a conversation reach such an owner; a browser or terminal chat
cannot be written to until its owner writes.
"""

from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta
from typing import Protocol

from domain.channels import PUSH_CHANNELS
from domain.msgid import N_
from domain.outbox import EVALUATION, NO_SHOW, REMINDER, REMINDER_WEEK, SEAT, SESSION_CANCELLED, SESSION_CHANGED
from domain.regions import region
from domain.wib import WIB, in_wib
from flows.i18n import Text
from store.officers import PROVINCE
from store.registry import Registry
from store.training import SessionInfo, Status

MOST_NEXT_SESSIONS = 3  # in a note to an owner who did not come: enough to choose from on a phone

REMIND_FROM = time(9, 0)  # WIB, on the day before a session: nobody is woken by a reminder


class SessionPlace(Protocol):
    """What every message about a session names: a session as the store reads it, or as a message about it."""

    programme_name: str
    starts_at: datetime
    place: str
    kabupaten_code: str


def tell_owner(registry: Registry, owner_id: int, kind: str, render: Callable[[Text], str], *,
               key: str | None = None) -> bool:
    """Queue a message in the owner's language on the chat they used last; False when none can be reached
    or a message with this key was queued before."""
    chat = registry.reachable_chat(owner_id, PUSH_CHANNELS)
    if chat is None:
        return False
    channel, address, language = chat
    return registry.outbox.queue(kind, owner_id, channel, address, render(Text(language)), key=key) is not None


def tell_owner_of_session(registry: Registry, owner_id: int, kind: str, session_id: int, *, key: str) -> bool:
    """Queue a message about a session on the chat the owner used last, written from the session as it is when
    it is sent (`session_text`); False when no chat can be reached or it was queued before."""
    chat = registry.reachable_chat(owner_id, PUSH_CHANNELS)
    if chat is None:
        return False
    channel, address, language = chat
    return registry.outbox.queue(kind, owner_id, channel, address, None, key=key, session_id=session_id,
                                 language=language) is not None


# What each message about a session says, filled from the session when it goes (`where_and_when`).
_SESSION_TEXTS = {
    REMINDER_WEEK: N_("Reminder: in a week, %(when)s, you are registered for %(programme)s at %(place)s. If you "
                      "cannot come, type \"jadwal\" to cancel, so someone on the waiting list can have your seat."),
    SESSION_CHANGED: N_("%(programme)s has changed: it is now %(when)s at %(place)s. If you cannot come then, "
                        "type \"jadwal\" to cancel, so someone on the waiting list can have your seat."),
    SESSION_CANCELLED: N_("We are sorry: %(programme)s on %(when)s at %(place)s has been cancelled, so your place "
                          "in it is no more. Type \"program\" to see the sessions still ahead."),
    REMINDER: N_("Reminder: tomorrow, %(when)s, you are registered for %(programme)s at %(place)s. "
                 "If you cannot come, type \"jadwal\" to cancel, so someone on the waiting list can have your seat."),
}
# How far ahead of a session each reminder goes, on that day from REMIND_FROM.
_REMINDERS = ((REMINDER_WEEK, 7), (REMINDER, 1))


def session_text(kind: str, session: SessionPlace, language: str) -> str:
    """A message about a session in the owner's language, from the session as it is now."""
    text = Text(language)
    return text(_SESSION_TEXTS[kind], **where_and_when(session, text))


def office_name(scope: str) -> str:
    """The Dinas of a scope, by its own name: the province's, or a kabupaten's or kota's."""
    place = f"Provinsi {region(scope).name}" if scope == PROVINCE else region(scope).name
    return f"Dinas Koperasi dan UKM {place}"


def announcement_text(text: str, language: str, scope: str = PROVINCE) -> str:
    """An announcement of the office of `scope` as an owner reads it: who it is from, the words, how to stop them."""
    words = Text(language)
    return "\n\n".join((words(N_("Announcement from the %(office)s:"), office=office_name(scope)), text,
                        words(N_("(Reply \"berhenti\" to stop announcements, \"mulai\" to receive them again.)"))))


def where_and_when(session: SessionPlace, text: Text) -> dict[str, str]:
    """The placeholders every message about a session fills: programme, when, place."""
    return {"programme": session.programme_name, "when": text.moment(session.starts_at),
            "place": f"{session.place}, {region(session.kabupaten_code).name}"}


def elsewhere(session: SessionInfo, kabupaten_codes: Sequence[str], text: Text) -> str | None:
    """"This session is in Kota Palangka Raya, not in your business's kabupaten (Kotawaringin Timur).", or None
    when it is held where one of the owner's businesses is."""
    if not kabupaten_codes or session.kabupaten_code in kabupaten_codes:
        return None
    return text(N_("This session is in %(place)s, not in your business's kabupaten (%(home)s)."),
                place=region(session.kabupaten_code).name,
                home=text.join([region(code).short_name for code in kabupaten_codes]))


def place_held(session: SessionInfo, text: Text) -> str:
    """The asking owner's place in a session: "you are registered", or their number on its waiting list."""
    if session.status == Status.WAITLISTED:
        return text(N_("you are number %(position)s on the waiting list"), position=session.position)
    return text(N_("you are registered"))


def tell_seat_given(registry: Registry, session_id: int, owner_id: int) -> None:
    """Tell an owner on the waiting list that a freed seat is now theirs, and where it is when that is outside the
    kabupaten of their businesses."""
    session = registry.training.session(session_id, owner_id)
    if session is None:
        return
    home = registry.audience(owner_id).kabupaten_codes

    def render(text: Text) -> str:
        told = text(N_("Good news: a seat has become free in %(programme)s on %(when)s at %(place)s, and it is now "
                       "yours. If you cannot come after all, type \"jadwal\" to cancel, so the next person can have "
                       "it."), **where_and_when(session, text))
        note = elsewhere(session, home, text)
        return f"{told} {note}" if note else told

    tell_owner(registry, owner_id, SEAT, render)


def queue_reminders(registry: Registry) -> int:
    """From 09.00 WIB, queue the reminders due today to every owner registered in a session a week and a day
    ahead, once each; how many."""
    now = in_wib(registry.now)
    if now.time() < REMIND_FROM:
        return 0
    queued = 0
    for kind, days in _REMINDERS:
        day = datetime.combine(now.date() + timedelta(days=days), time(0), tzinfo=WIB)
        for session, owner_id in registry.training.registered_between(day, day + timedelta(days=1)):
            queued += tell_owner_of_session(registry, owner_id, kind, session.id,
                                            key=f"{kind}:{session.id}:{owner_id}")
    return queued


def queue_after_sessions(registry: Registry) -> int:
    """From 09.00 WIB the morning after a session ends: its evaluation to each owner marked as attended, a kind
    note with the programme's next sessions to each marked absent; once each. How many were queued."""
    now = in_wib(registry.now)
    if now.time() < REMIND_FROM:
        return 0
    today = datetime.combine(now.date(), time(0), tzinfo=WIB)
    queued = 0
    for session, owner_id, status in registry.training.ended_between(today - timedelta(days=1), today):
        if status == Status.ABSENT:
            queued += tell_owner(registry, owner_id, NO_SHOW, lambda text, session=session, owner=owner_id:
                                 _missed(registry, session, owner, text), key=f"{NO_SHOW}:{session.id}:{owner_id}")
        elif registry.reachable_chat(owner_id, PUSH_CHANNELS) is not None \
                and registry.follow_ups.ask_evaluation(session.id, owner_id) is not None:
            queued += tell_owner_of_session(registry, owner_id, EVALUATION, session.id,
                                            key=f"{EVALUATION}:{session.id}:{owner_id}")
    return queued


def ask_again(registry: Registry) -> int:
    """The follow-ups put off three days ago ("nanti"), their first question asked once more; how many."""
    queued = 0
    for follow_up in registry.follow_ups.due_again():
        chat = registry.reachable_chat(follow_up.owner_id, PUSH_CHANNELS)
        if chat is None:
            continue
        channel, address, language = chat
        queued += registry.outbox.queue(follow_up.kind, follow_up.owner_id, channel, address, None,
                                        key=f"{follow_up.kind}:{follow_up.id}:again", session_id=follow_up.session_id,
                                        survey_id=follow_up.survey_id, language=language) is not None
    return queued


def _missed(registry: Registry, session: SessionInfo, owner_id: int, text: Text) -> str:
    """"We missed you at …", with the programme's next sessions (the owner's kabupaten first) or where to look."""
    home = registry.audience(owner_id).kabupaten_codes
    ahead = registry.training.sessions(session.programme_id, owner_id, home)[:MOST_NEXT_SESSIONS]
    missed = text(N_("We missed you at %(programme)s (%(when)s). Never mind: you can join another session."),
                  **where_and_when(session, text))
    if not ahead:
        return missed + " " + text(N_("It has none planned yet; type \"program\" to see other training."))
    lines = [text(N_("%(when)s at %(place)s"), **where_and_when(next_one, text)) for next_one in ahead]
    return "\n".join([missed, "", *(f"- {line}" for line in lines), "",
                      text(N_("Type \"program\" to sign up."))])


def tell_session_changed(registry: Registry, session_id: int) -> int:
    """Tell every owner with a place in the session, registered or waiting, that its time or place changed, once
    for this change; how many were told. What they read is the session as it is when the message goes."""
    return sum(tell_owner_of_session(registry, owner_id, SESSION_CHANGED, session_id,
                                     key=f"{SESSION_CHANGED}:{session_id}:{owner_id}:{registry.now.isoformat()}")
               for owner_id in registry.training.holding_places(session_id))


def cancel_session(registry: Registry, session_id: int, scope: str, actor: str) -> int | None:
    """Cancel a session still ahead in the scope: every place in it is cancelled, nothing queued about it goes, and
    every owner who held or waited for a place is told; how many were told, or None when there is no such session."""
    owner_ids = registry.training.cancel(session_id, scope, actor)
    return None if owner_ids is None else tell_session_cancelled(registry, session_id, owner_ids)


def tell_session_cancelled(registry: Registry, session_id: int, owner_ids: Sequence[int]) -> int:
    """After a session was cancelled: drop whatever about it still waits to go (reminders, changes), and tell these
    owners, once each; how many were told."""
    registry.outbox.cancel_session_messages(session_id)
    return sum(tell_owner_of_session(registry, owner_id, SESSION_CANCELLED, session_id,
                                     key=f"{SESSION_CANCELLED}:{session_id}:{owner_id}")
               for owner_id in owner_ids)


def give_up_places(registry: Registry, owner_id: int) -> None:
    """Free every seat the owner holds in sessions ahead, for the waiting lists, whose first are told."""
    for session in registry.training.upcoming_of(owner_id):
        for promoted in registry.training.withdraw(session.id, owner_id):
            tell_seat_given(registry, session.id, promoted)
