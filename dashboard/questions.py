"""The officers' inbox of owners' questions: the list within the officer's scope, and one question's page.

A question's page shows its thread with how each reply went out, the owner's businesses, the time left in
WhatsApp's 24 hours, and a reply box that the knowledge base's answers can fill. The reply goes the way the chat
does (flows/inbox.py: the outbox, or the approved template and the reply held for the owner's next message).
An officer can also assign the question, close it, or make the exchange a knowledge-base entry.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dashboard.access import officer_page, require_scope
from dashboard.forms import typed_text
from dashboard.pages import render
from dashboard.paging import Pager, page_number
from dashboard.work import read, write
from domain.channels import LABELS as CHANNEL_LABELS
from domain.channels import WHATSAPP, window_left
from domain.msgid import N_
from domain.topics import TOPICS
from domain.wib import working_days_since
from flows.engine import GENERAL_OFFICE
from flows.i18n import DEFAULT_LANGUAGE, Text
from flows.inbox import Sent, send_reply
from flows.knowledge_base import fill
from store.knowledge import Entry
from store.logins import Viewer
from store.officers import PROVINCE, OfficerInfo
from store.questions import (
    ANSWERED,
    CLOSED,
    CLOSED_BY_OFFICER,
    OPEN,
    InboxFilter,
    InboxRow,
    OwnerBusiness,
    ThreadMessage,
)
from store.registrations import EnrollmentEntry
from store.registry import Registry

PATH = "/admin/questions"
PAGE_SIZE = 50
OVERDUE_AFTER = 3  # working days without a reply: what the Dinas promises owners
REPLY_LONGEST = 2000
STATES = (OPEN, ANSWERED, CLOSED)
AGES = (1, 3, 7, 30)  # "waiting at least N days" in the filter
_text = Text(DEFAULT_LANGUAGE)
STATE_LABELS = {OPEN: N_("Waiting for an answer"), ANSWERED: N_("Answered"), CLOSED: N_("Closed")}
# How a reply went out (flows/inbox.Sent), and then how its outbox row stands; "held": waiting for the owner.
SENT_LABELS = {
    Sent.QUEUED.value: N_("The reply is on its way to the owner."),
    Sent.TEMPLATE.value: N_("The owner has not written for over 24 hours: WhatsApp allows only a notice, which is on "
                            "its way; the reply is shown when the owner writes back."),
    Sent.WAITING.value: N_("The owner chats in the browser: the reply is shown when they next write."),
    Sent.UNREACHABLE.value: N_("The reply is kept, but the owner can no longer be reached."),
    "empty": N_("Write the reply first."),
}
DELIVERY_LABELS = {
    "pending": N_("waiting to be sent"), "sending": N_("being sent"), "sent": N_("sent"),
    "delivered": N_("delivered"), "failed": N_("not delivered: the channel refused it"),
    "cancelled": N_("not sent"), "held": N_("waiting for the owner's next message"),
}
LABELS = {"state_labels": STATE_LABELS, "sent_labels": SENT_LABELS, "channel_labels": CHANNEL_LABELS}


def reply_went(message: ThreadMessage) -> str:
    """How an officer's reply reached the owner, in words: its own row's state; or, for one that waited for the
    owner to write, whether it is still waiting or when it was shown, and how the notice that it waits went."""
    if not message.notice and message.delivery is not None:
        return _text(DELIVERY_LABELS[message.delivery])
    went = _text(DELIVERY_LABELS["held"]) if message.shown_at is None else _text(
        N_("shown when the owner next wrote, %(moment)s"), moment=_text.moment(message.shown_at))
    if message.notice and message.delivery is not None:
        went += " · " + _text(N_("the notice: %(state)s"), state=_text(DELIVERY_LABELS[message.delivery]))
    return went


def is_overdue(row: InboxRow, registry: Registry) -> bool:
    """Open with no reply for more than the promised working days."""
    question = row.question
    return question.status == OPEN and question.answered_at is None and \
        working_days_since(question.created_at, registry.now) > OVERDUE_AFTER


def _filter(request: Request, viewer: Viewer) -> tuple[InboxFilter, dict[str, str]]:
    query = {name: typed_text(request.query_params.get(name)) for name in ("status", "kabupaten", "topic", "age")}
    status = query["status"] if query["status"] in STATES else OPEN
    kabupaten = query["kabupaten"] or None
    require_scope(viewer, kabupaten)
    topic = query["topic"] if query["topic"] in TOPICS else None
    age = int(query["age"]) if query["age"].isdigit() and int(query["age"]) in AGES else None
    chosen = InboxFilter(viewer.scope, (status,), kabupaten, topic, timedelta(days=age) if age else None)
    return chosen, {name: value for name, value in {**query, "status": status}.items() if value}


@officer_page
async def list_questions(request: Request, viewer: Viewer) -> Response:
    """GET /admin/questions: the questions in the viewer's scope, filtered, the longest waiting first."""
    chosen, query = _filter(request, viewer)
    asked = page_number(request.query_params.get("page")) or 1

    def listing(registry: Registry) -> tuple[int, Pager, list[tuple[InboxRow, bool]]]:
        total = registry.questions.count(chosen)
        pager = Pager.over(asked, total, PAGE_SIZE, query)
        rows = registry.questions.inbox(chosen, pager.size, pager.offset)
        return total, pager, [(row, is_overdue(row, registry)) for row in rows]

    total, pager, rows = await read(request, listing)
    return render(request, "questions.html", viewer, total=total, pager=pager, rows=rows, query=query,
                  states=STATES, topics=TOPICS, ages=AGES, **LABELS)


@dataclass(frozen=True)
class _Page:
    row: InboxRow
    overdue: bool
    thread: list[ThreadMessage]
    businesses: list[OwnerBusiness]
    enrollments: list[EnrollmentEntry]
    channel: str | None
    window: timedelta | None  # WhatsApp only: the free-text time left
    officers: list[OfficerInfo]
    entries: list[Entry]


def _question_page(registry: Registry, question_id: int, viewer: Viewer) -> _Page:
    question = registry.questions.get(question_id, viewer.scope)
    if question is None:
        raise HTTPException(404)
    owner = registry.questions.owner_name(question.owner_id) if question.owner_id else None
    row = InboxRow(question, owner, registry.questions.assignee(question.id))
    chat = registry.questions.chat_of(question)
    window = window_left(chat.heard_at, registry.now) if chat is not None and chat.channel == WHATSAPP else None
    officers = [officer for officer in registry.officers.active()
                if officer.scope in (PROVINCE, question.kabupaten_code)]
    return _Page(row, is_overdue(row, registry), registry.questions.thread(question.id),
                 registry.questions.owner_businesses(question.owner_id) if question.owner_id else [],
                 registry.registrations.enrollments_of(question.owner_id, viewer.scope) if question.owner_id else [],
                 chat.channel if chat is not None else None, window, officers, registry.knowledge.answering())


@officer_page
async def show_question(request: Request, viewer: Viewer) -> Response:
    """GET /admin/questions/{id}: the thread, the owner's businesses, the reply box (filled from an entry with
    ?insert=ENTRY_ID), assigning and closing."""
    question_id = request.path_params["question_id"]
    page = await read(request, lambda registry: _question_page(registry, question_id, viewer))
    insert = typed_text(request.query_params.get("insert"))
    reply = typed_text(request.query_params.get("reply"))
    chosen = next((entry for entry in page.entries if str(entry.id) == insert), None)
    if chosen is not None:
        reply = (reply + "\n\n" if reply else "") + fill(chosen.content.answer["id"], _text, GENERAL_OFFICE)
    return render(request, "question.html", viewer, page=page, reply=reply, topics=TOPICS,
                  sent=typed_text(request.query_params.get("sent")), reply_went=reply_went, **LABELS)


@officer_page
async def reply_to_question(request: Request, viewer: Viewer) -> Response:
    """POST /admin/questions/{id}/reply: the reply goes to the owner; the page says how it went out."""
    question_id = request.path_params["question_id"]
    reply = typed_text((await request.form()).get("reply")).strip()[:REPLY_LONGEST]
    if not reply:
        return RedirectResponse(f"{PATH}/{question_id}?sent=empty", status_code=303)

    def answer(registry: Registry) -> str:
        question = registry.questions.get(question_id, viewer.scope)
        if question is None:
            raise HTTPException(404)
        return send_reply(registry, question, viewer.officer.id, reply).sent.value

    sent = await write(request, answer)
    return RedirectResponse(f"{PATH}/{question_id}?{urlencode({'sent': sent})}", status_code=303)


@officer_page
async def assign_question(request: Request, viewer: Viewer) -> Response:
    """POST /admin/questions/{id}/assign: to an active officer who can see it, or to nobody."""
    question_id = request.path_params["question_id"]
    typed = typed_text((await request.form()).get("officer"))

    def assign(registry: Registry) -> None:
        question = registry.questions.get(question_id, viewer.scope)
        if question is None:
            raise HTTPException(404)
        allowed = {officer.id for officer in registry.officers.active()
                   if officer.scope in (PROVINCE, question.kabupaten_code)}
        officer_id = int(typed) if typed.isdigit() and int(typed) in allowed else None
        if typed and officer_id is None:
            raise HTTPException(400)
        registry.questions.assign(question_id, officer_id)

    await write(request, assign)
    return RedirectResponse(f"{PATH}/{question_id}", status_code=303)


@officer_page
async def close_question(request: Request, viewer: Viewer) -> Response:
    """POST /admin/questions/{id}/close."""
    question_id = request.path_params["question_id"]

    def close(registry: Registry) -> None:
        if registry.questions.get(question_id, viewer.scope) is None:
            raise HTTPException(404)
        registry.questions.close(question_id, CLOSED_BY_OFFICER)

    await write(request, close)
    return RedirectResponse(f"{PATH}/{question_id}", status_code=303)


ROUTE = PATH.removeprefix("/admin")  # the dashboard is mounted at /admin
routes = [
    Route(ROUTE, list_questions, methods=["GET"]),
    Route(ROUTE + "/{question_id:id}", show_question, methods=["GET"]),
    Route(ROUTE + "/{question_id:id}/reply", reply_to_question, methods=["POST"]),
    Route(ROUTE + "/{question_id:id}/assign", assign_question, methods=["POST"]),
    Route(ROUTE + "/{question_id:id}/close", close_question, methods=["POST"]),
]
