"""Announcements: compose one with the chat's conditions (any of them together), see whom it reaches, how many of
them only WhatsApp's approved template can reach, and how it reads, send it now or at a time in WIB (once, however
often the button is pressed), follow its delivery (per provider, as free text and as templates), and cancel it until
its time.

The words, the segments, who is left out and why come from the chat's own flow (flows/announce.py), so an
announcement means the same whichever way an officer sends it. The segment's scope is always the viewer's.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dashboard.access import officer_page, require_scope
from dashboard.pages import render
from dashboard.paging import Pager, page_number
from dashboard.registrations import DELIVERY, delivery_problem
from dashboard.segments import conditions_context, kabupaten_named, posted_conditions, read_segment
from dashboard.work import read, write
from domain.channels import LABELS, PROVIDERS, PUSH_CHANNELS, TEMPLATE_CATEGORIES
from domain.invalid import Invalid
from domain.msgid import N_
from domain.wib import in_wib
from flows.announce import (
    MAX_ANNOUNCEMENT,
    describe,
    left_out_reasons,
    schedule_words,
    tidy_announcement,
    when_words,
)
from flows.i18n import DEFAULT_LANGUAGE, Text
from flows.notices import announcement_text
from flows.send_time import parse_send_time
from store.announcements import Cancelled, Carried, Reach, Report, Segment
from store.logins import Viewer
from store.registry import Registry

PATH = "/admin/announcements"
LISTED = 50  # announcements on a page of the list
RECIPIENTS_SHOWN = 100  # rows on a page of an announcement's recipients
REFRESH_SECONDS = 5  # while rows wait, the report page reloads itself this often
KEY_BYTES = 24  # of randomness in a form's request key: 32 characters
KEY_LONGEST = 64  # characters the registry keeps of a request key
AS_POSTED = "%Y-%m-%d %H:%M"  # the moment a preview chose, as its Send form posts it again (WIB)

_words = Text(DEFAULT_LANGUAGE)


@dataclass(frozen=True)
class Draft:
    """The compose form as posted: the words as typed, the conditions chosen, when to send, and the request key."""

    typed: str = ""
    chosen: dict[str, str] = field(default_factory=dict)  # each condition chosen (CONDITIONS), as posted
    when: str = ""  # as typed: empty or "sekarang" is now
    key: str = ""

    @classmethod
    def posted(cls, form: FormData) -> "Draft":
        def value(name: str) -> str:
            found = form.get(name)
            return found if isinstance(found, str) else ""
        return cls(value("text"), posted_conditions(form), value("send_at").strip(), value("key"))


@dataclass
class Checked:
    """A draft as the registry sees it: its tidied words, what is wrong with it, whom it reaches."""

    draft: Draft
    words: str = ""
    problems: list[Invalid] = field(default_factory=list)
    segment: Segment | None = None
    reach: Reach | None = None
    audience: str = ""  # the segment in words
    send_at: datetime | None = None  # when it goes; None: at once
    templates: int = 0  # of those it reaches, how many only WhatsApp's approved template can reach then


def _check(registry: Registry, viewer: Viewer, draft: Draft) -> Checked:
    """The draft's words and segment, or what is wrong with them; an announcement that reaches nobody is wrong."""
    checked = Checked(draft)
    try:
        checked.words = tidy_announcement(draft.typed)
    except Invalid as too_long:
        checked.problems.append(Invalid(too_long.reason, field="text", **too_long.params))
    else:
        if not checked.words:
            checked.problems.append(Invalid(N_("Write the announcement first."), field="text"))
    try:
        checked.send_at = parse_send_time(draft.when, registry.now) if draft.when else None
    except Invalid as not_then:
        checked.problems.append(Invalid(not_then.reason, field="send_at", **not_then.params))
    segment, problems = read_segment(registry, viewer, draft.chosen)
    if segment is None:
        checked.problems += problems
        return checked
    checked.segment, checked.audience = segment, describe(segment, registry, _words)
    checked.reach = registry.announcements.reach(segment, PUSH_CHANNELS)
    checked.templates = registry.announcements.templates_needed(segment, PUSH_CHANNELS,
                                                                checked.send_at or registry.now)
    if not checked.reach.recipients:
        checked.problems.append(Invalid(N_("Nobody can be reached this way: %(audience)s."), field="audience",
                                        audience=checked.audience))
    return checked


def _compose_page(request: Request, viewer: Viewer, form_context: dict[str, Any], checked: Checked,
                  status_code: int = 200) -> Response:
    """The compose form with what was typed, its problems, and (when there are none) the preview and Send."""
    reach = checked.reach
    preview = None
    if reach is not None and not checked.problems:
        preview = {"message": announcement_text(checked.words, DEFAULT_LANGUAGE, viewer.scope),
                   "key": secrets.token_urlsafe(KEY_BYTES), "when": when_words(checked.send_at, _words),
                   "send_at": in_wib(checked.send_at).strftime(AS_POSTED) if checked.send_at else "",
                   "category": TEMPLATE_CATEGORIES[request.app.state.template_category]}
    return render(request, "announcement_compose.html", viewer, status_code=status_code, draft=checked.draft,
                  checked=checked, preview=preview, limit=MAX_ANNOUNCEMENT,
                  length=len(checked.words or checked.draft.typed.strip()),
                  left_out=left_out_reasons(reach, _words) if reach is not None else [], **form_context)


@officer_page
async def list_announcements(request: Request, viewer: Viewer) -> Response:
    """GET /admin/announcements: the latest announcements in the viewer's scope, with what became of each.

    The list is not counted: its pages are those up to this one, and one more while there are older announcements.
    """
    page = _page_number(request)
    known = Pager(page, page, LISTED)

    def listing(registry: Registry) -> list[tuple[Report, str, str | None]]:
        reports = registry.announcements.recent(viewer.scope, LISTED + 1, known.offset)
        return [(report, describe(report.segment, registry, _words), schedule_words(report, registry.now, _words))
                for report in reports]

    found = await read(request, listing)
    return render(request, "announcements.html", viewer, announcements=found[:LISTED], pager=known.seen(len(found)))


@officer_page
async def compose_announcement(request: Request, viewer: Viewer) -> Response:
    """GET /admin/announcements/new: the form for an announcement's words and who gets it."""
    context = await read(request, lambda registry: conditions_context(registry, viewer))
    return _compose_page(request, viewer, context, Checked(Draft()))


@officer_page
async def preview_announcement(request: Request, viewer: Viewer) -> Response:
    """POST /admin/announcements/new: whom the announcement reaches, who is left out and how it reads; sends nothing."""
    form = await request.form()
    require_scope(viewer, kabupaten_named(form))
    draft = Draft.posted(form)
    checked, context = await read(request, lambda registry: (_check(registry, viewer, draft),
                                                             conditions_context(registry, viewer)))
    return _compose_page(request, viewer, context, checked, 400 if checked.problems else 200)


@officer_page
async def send_announcement(request: Request, viewer: Viewer) -> Response:
    """POST /admin/announcements: queue the previewed announcement once for its form's key, then show its report."""
    form = await request.form()
    require_scope(viewer, kabupaten_named(form))
    draft = Draft.posted(form)

    def queue(registry: Registry) -> int | tuple[Checked, dict[str, Any]]:
        """The announcement's number (an earlier press's, if this form was sent before), or why none was queued."""
        earlier = registry.announcements.requested(draft.key) if draft.key else None
        if earlier is not None:
            return earlier[0]
        checked = _check(registry, viewer, draft)
        previewed = 0 < len(draft.key) <= KEY_LONGEST  # a form never previewed has no key
        if not previewed and "text" not in {problem.field for problem in checked.problems}:
            checked.problems.append(Invalid(N_("Preview the announcement before sending it."), field="text"))
        if checked.problems or checked.segment is None:
            return checked, conditions_context(registry, viewer)
        number, _reach = registry.announcements.announce(
            checked.words, checked.segment, PUSH_CHANNELS, author=viewer.officer.name, officer_id=viewer.officer.id,
            request_key=draft.key, send_at=checked.send_at)
        return number

    queued = await write(request, queue)
    if isinstance(queued, int):
        return RedirectResponse(f"{PATH}/{queued}", status_code=303)
    checked, context = queued
    return _compose_page(request, viewer, context, checked, 400)


@officer_page
async def show_announcement(request: Request, viewer: Viewer) -> Response:
    """GET /admin/announcements/{id}: its report, refreshed while rows wait, and its recipients a page at a time."""
    number: int = request.path_params["announcement_id"]
    page = _page_number(request)

    def reported(registry: Registry) -> tuple[Report, str, Pager, list[Any], list[Carried], str | None, bool] | None:
        report = registry.announcements.report(number, viewer.scope)
        if report is None:
            return None
        rows = report.waiting + report.sent + report.delivered + report.failed + report.cancelled
        pager = Pager.over(page, rows, RECIPIENTS_SHOWN)
        recipients = registry.announcements.recipients(number, pager.size, pager.offset)
        return (report, describe(report.segment, registry, _words), pager, recipients,
                registry.announcements.carried(number), schedule_words(report, registry.now, _words),
                report.cancellable(registry.now))

    found = await read(request, reported)
    if found is None:
        raise HTTPException(404)
    report, audience, pager, recipients, carried, schedule, cancellable = found
    going = report.waiting and not cancellable  # rows waiting for a time still ahead are not going out yet
    return render(request, "announcement.html", viewer, report=report, audience=audience, recipients=recipients,
                  pager=pager, left_out=left_out_reasons(report.reach, _words), schedule=schedule, carried=carried,
                  providers=PROVIDERS, cancellable=cancellable, refresh=REFRESH_SECONDS if going else None,
                  channels=LABELS, delivery=DELIVERY, delivery_problem=delivery_problem)


@officer_page
async def cancel_announcement(request: Request, viewer: Viewer) -> Response:
    """POST /admin/announcements/{id}/cancel: cancel it if its time is still ahead; then its report says which."""
    number: int = request.path_params["announcement_id"]
    outcome = await write(request, lambda registry: registry.announcements.cancel(number, viewer.scope,
                                                                                    viewer.officer.id))
    if outcome is Cancelled.UNKNOWN:
        raise HTTPException(404)
    return RedirectResponse(f"{PATH}/{number}", status_code=303)


def _page_number(request: Request) -> int:
    """The page asked for; the first for what is no page number (a list has no form to say what is wrong)."""
    return page_number(request.query_params.get("page")) or 1


routes = [
    Route("/announcements", list_announcements, methods=["GET"]),
    Route("/announcements", send_announcement, methods=["POST"]),
    Route("/announcements/new", compose_announcement, methods=["GET"]),
    Route("/announcements/new", preview_announcement, methods=["POST"]),
    Route("/announcements/{announcement_id:id}", show_announcement, methods=["GET"]),
    Route("/announcements/{announcement_id:id}/cancel", cancel_announcement, methods=["POST"]),
]
