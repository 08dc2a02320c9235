"""Surveys the Dinas starts (pemutakhiran data, penilaian ulang): choose the kind and whom it asks with the
announcements' conditions, see how many owners and businesses it asks and how its first message reads, start it
(once, however often the button is pressed), and follow what the owners make of it, with its response rate.

What a survey asks and how owners answer are the chat's (flows/data_update.py, flows/reassessment.py); the store
counts (store/follow_ups.py). The segment's scope is always the viewer's.
"""

import secrets
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dashboard.access import officer_page, require_scope
from dashboard.pages import render
from dashboard.paging import Pager, page_number
from dashboard.segments import conditions_context, kabupaten_named, posted_conditions, read_segment
from dashboard.work import read, write
from domain.channels import PUSH_CHANNELS
from domain.invalid import Invalid
from domain.msgid import N_
from flows.announce import describe
from flows.follow_up import SAMPLE_BUSINESS
from flows.i18n import DEFAULT_LANGUAGE, Text
from flows.router import FOLLOW_UP_FLOWS
from store.announcements import Segment
from store.follow_ups import SURVEY_KINDS, Kind, Status, SurveyReport
from store.logins import Viewer
from store.registry import Registry

PATH = "/admin/surveys"
LISTED = 50  # surveys on a page of the list
KEY_BYTES = 24  # of randomness in a form's request key: 32 characters
KEY_LONGEST = 64  # characters the registry keeps of a request key
# What became of each follow-up, as officers read it, in the order a follow-up goes.
STATUSES = {
    Status.ASKED: N_("Asked, no answer yet"),
    Status.STARTED: N_("Answering"),
    Status.LATER: N_("Said \"nanti\": asked once more three days on"),
    Status.DONE: N_("Answered"),
    Status.STOPPED: N_("Said \"berhenti\""),
    Status.LAPSED: N_("Put off twice, or no answer after asked again"),
}

_words = Text(DEFAULT_LANGUAGE)


@dataclass(frozen=True)
class Draft:
    """The form as posted: the kind of survey, the conditions chosen, and the request key."""

    kind: str = ""
    chosen: dict[str, str] = field(default_factory=dict)
    key: str = ""

    @classmethod
    def posted(cls, form: FormData) -> "Draft":
        def value(name: str) -> str:
            found = form.get(name)
            return found.strip() if isinstance(found, str) else ""
        return cls(value("kind"), posted_conditions(form), value("key"))


@dataclass
class Checked:
    """A draft as the registry sees it: what is wrong with it, and whom and how many businesses it asks."""

    draft: Draft
    problems: list[Invalid] = field(default_factory=list)
    kind: Kind | None = None
    segment: Segment | None = None
    owners: int = 0
    businesses: int = 0
    audience: str = ""  # the segment in words


def kind_words(kind: str) -> str:
    """A survey's kind as officers read it; one no longer known, as it is."""
    flow = FOLLOW_UP_FLOWS.get(kind)
    return _words(flow.title) if flow is not None else kind


def _check(registry: Registry, viewer: Viewer, draft: Draft) -> Checked:
    """The draft's kind and segment, or what is wrong with them; a survey that asks nobody is wrong."""
    checked = Checked(draft)
    if draft.kind in SURVEY_KINDS:
        checked.kind = Kind(draft.kind)
    else:
        checked.problems.append(Invalid(N_("Choose what the survey asks."), field="kind"))
    segment, problems = read_segment(registry, viewer, draft.chosen)
    if segment is None:
        checked.problems += problems
        return checked
    checked.segment, checked.audience = segment, describe(segment, registry, _words)
    checked.owners, checked.businesses = registry.follow_ups.survey_reach(segment, PUSH_CHANNELS)
    if not checked.owners:
        checked.problems.append(Invalid(N_("Nobody can be asked this way: %(audience)s."), field="audience",
                                        audience=checked.audience))
    return checked


def _form_context(registry: Registry, viewer: Viewer) -> dict[str, Any]:
    return {"kinds": [(kind, kind_words(kind)) for kind in SURVEY_KINDS], **conditions_context(registry, viewer)}


def _compose_page(request: Request, viewer: Viewer, context: dict[str, Any], checked: Checked,
                  status_code: int = 200) -> Response:
    """The form with what was chosen, its problems, and (when there are none) the preview and Start."""
    preview = None
    if checked.kind is not None and checked.segment is not None and not checked.problems:
        invitation = FOLLOW_UP_FLOWS[checked.kind].invitation(_words, _words(SAMPLE_BUSINESS))
        preview = {"message": invitation.text, "choices": [choice.label for choice in invitation.choices],
                   "key": secrets.token_urlsafe(KEY_BYTES)}
    return render(request, "survey_compose.html", viewer, status_code=status_code, draft=checked.draft,
                  checked=checked, problems=checked.problems, preview=preview, **context)


@officer_page
async def list_surveys(request: Request, viewer: Viewer) -> Response:
    """GET /admin/surveys: the latest surveys in the viewer's scope, each with what the owners made of it so far.

    The list is not counted: its pages are those up to this one, and one more while there are older surveys.
    """
    page = page_number(request.query_params.get("page")) or 1
    known = Pager(page, page, LISTED)

    def listing(registry: Registry) -> list[tuple[SurveyReport, str]]:
        return [(report, describe(report.segment, registry, _words))
                for report in registry.follow_ups.surveys(viewer.scope, LISTED + 1, known.offset)]

    found = await read(request, listing)
    return render(request, "surveys.html", viewer, surveys=found[:LISTED], pager=known.seen(len(found)),
                  kind_words=kind_words, done=Status.DONE)


@officer_page
async def compose_survey(request: Request, viewer: Viewer) -> Response:
    """GET /admin/surveys/new: the form for what a survey asks and whom."""
    context = await read(request, lambda registry: _form_context(registry, viewer))
    return _compose_page(request, viewer, context, Checked(Draft()))


@officer_page
async def preview_survey(request: Request, viewer: Viewer) -> Response:
    """POST /admin/surveys/new: whom the survey asks and how its first message reads; starts nothing."""
    form = await request.form()
    require_scope(viewer, kabupaten_named(form))
    draft = Draft.posted(form)
    checked, context = await read(request, lambda registry: (_check(registry, viewer, draft),
                                                             _form_context(registry, viewer)))
    return _compose_page(request, viewer, context, checked, 400 if checked.problems else 200)


@officer_page
async def start_survey(request: Request, viewer: Viewer) -> Response:
    """POST /admin/surveys: start the previewed survey once for its form's key, then show it."""
    form = await request.form()
    require_scope(viewer, kabupaten_named(form))
    draft = Draft.posted(form)

    def start(registry: Registry) -> int | tuple[Checked, dict[str, Any]]:
        """The survey's number (an earlier press's, if this form was sent before), or why none was started."""
        checked = _check(registry, viewer, draft)
        if not 0 < len(draft.key) <= KEY_LONGEST and "kind" not in {problem.field for problem in checked.problems}:
            checked.problems.append(Invalid(N_("Preview the survey before starting it."), field="kind"))
        if checked.problems or checked.kind is None or checked.segment is None:
            return checked, _form_context(registry, viewer)
        number, _owners = registry.follow_ups.start_survey(checked.kind, checked.segment, PUSH_CHANNELS,
                                                           viewer.officer.name, viewer.officer.id, draft.key)
        return number

    started = await write(request, start)
    if isinstance(started, int):
        return RedirectResponse(f"{PATH}/{started}", status_code=303)
    checked, context = started
    return _compose_page(request, viewer, context, checked, 400)


@officer_page
async def show_survey(request: Request, viewer: Viewer) -> Response:
    """GET /admin/surveys/{id}: what the owners made of it so far, by status, and its response rate."""
    number: int = request.path_params["survey_id"]

    def reported(registry: Registry) -> tuple[SurveyReport, str] | None:
        report = registry.follow_ups.survey_report(number, viewer.scope)
        return (report, describe(report.segment, registry, _words)) if report is not None else None

    found = await read(request, reported)
    if found is None:
        raise HTTPException(404)
    report, audience = found
    return render(request, "survey.html", viewer, report=report, audience=audience, kind=kind_words(report.kind),
                  statuses=STATUSES)


routes = [
    Route("/surveys", list_surveys, methods=["GET"]),
    Route("/surveys", start_survey, methods=["POST"]),
    Route("/surveys/new", compose_survey, methods=["GET"]),
    Route("/surveys/new", preview_survey, methods=["POST"]),
    Route("/surveys/{survey_id:id}", show_survey, methods=["GET"]),
]
