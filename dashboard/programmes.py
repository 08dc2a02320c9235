"""Programmes and their sessions: seats and waiting lists, the forms that create and change them, attendance
marked for many at once, what attendees said in their evaluations, and a session's participant list and a
programme's evaluations to download.

The forms are checked by the programme files' own checks (flows/programme_file.py), so a form accepts exactly
what `tabe programs import` accepts. An edit is saved by the import's own store call and does what it does: a
session given more seats gives them to its waiting list, whose owners are told. Something new is inserted, never
matched by its code as the import matches: a code taken meanwhile is refused, not taken as an edit of another's.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dashboard.access import LARGEST_ID, officer_page
from dashboard.exports import csv_text, wib_text
from dashboard.forms import typed_text
from dashboard.pages import ENROLLMENT_LABELS, render
from dashboard.work import read, write
from domain.invalid import Invalid
from domain.msgid import N_
from domain.regions import kabupaten_list, region
from flows.i18n import DEFAULT_LANGUAGE, Text
from flows.notices import cancel_session
from flows.programme_file import (
    Fields,
    Problem,
    Value,
    programme_of,
    programme_values,
    propose_code,
    save_programmes,
    session_of,
    session_values,
)
from store.logins import Viewer
from store.officers import PROVINCE, actor_of
from store.registry import Registry
from store.training import (
    Attendance,
    EvaluationAnswer,
    EvaluationResults,
    Marked,
    Participant,
    ProgrammeSessions,
    SessionSeats,
    Status,
)

PROGRAMME_FIELDS = ("code", "name", "description", "organiser", "teaches", "kabupaten", "classes", "sectors")
SESSION_FIELDS = ("code", "starts", "ends", "place", "kabupaten", "capacity", "signup_deadline")
PROGRAMME_LISTS = frozenset({"teaches", "kabupaten", "classes", "sectors"})  # ticked boxes
PLACES = [(place.code, place.name) for place in kabupaten_list()]  # where a programme is open, a session held
ORGANISER = "Dinas Koperasi dan UKM Provinsi Kalimantan Tengah"  # who organises most programmes: a new form's guess

CSV_HEADER = (N_("Owner name"), N_("Phone"), N_("Business name"), N_("Registration number"), N_("Kabupaten/kota"),
              N_("Status"), N_("Place on the waiting list"), N_("Usefulness (1-5)"), N_("Trainer (1-5)"),
              N_("What they will apply"), N_("Comment"))
EVALUATIONS_HEADER = (N_("Session"), N_("Starts (WIB)"), N_("Place"), N_("Kabupaten/kota"), N_("Asked"),
                      N_("Answered"), N_("Response rate (%)"), N_("Usefulness (1-5)"), N_("Usefulness answers"),
                      N_("Trainer (1-5)"), N_("Trainer answers"))
MARKABLE = (Status.REGISTERED, Status.ATTENDED, Status.ABSENT)  # the groups whose owners are ticked and marked


@dataclass
class Saved:
    """A form as checked: its fields with their problems, the id of what was saved (None when nothing was), and
    the programme it is or belongs to, for showing the form again."""

    fields: Fields
    id: int | None
    programme_id: int | None
    programme_name: str = ""


def _provincial(viewer: Viewer) -> None:
    """Programmes are the province's: a kabupaten/kota officer may not create or change one (403)."""
    if viewer.scope != PROVINCE:
        raise HTTPException(403)


def _posted(form: FormData, names: tuple[str, ...], lists: frozenset[str] = frozenset()) -> dict[str, Value]:
    """A form's values under the checks' names: text as typed, and for `lists` the boxes ticked."""
    return {name: [typed_text(value) for value in form.getlist(name)] if name in lists else typed_text(form.get(name))
            for name in names}


def _form_page(request: Request, viewer: Viewer, template: str, saved: Saved | None, values: dict[str, Value],
               **context: object) -> Response:
    """A form as it opens (`saved` None), or back with every problem by its field and everything as typed (400)."""
    return render(request, template, viewer, status_code=400 if saved else 200, values=values,
                  problems=saved.fields.problems if saved else [], places=PLACES, **context)


# -- the list ----------------------------------------------------------------------------


@officer_page
async def list_programmes(request: Request, viewer: Viewer) -> Response:
    """GET /admin/programmes: the programmes in the viewer's scope, each with its sessions' seats and waiting lists."""
    board, results, now = await read(request, lambda registry: (
        registry.training.programme_board(viewer.scope), registry.training.evaluation_results(viewer.scope),
        registry.now))
    return render(request, "programmes.html", viewer, board=board, now=now, results=results,
                  overall={programme.id: _overall(programme, results) for programme in board},
                  no_results=EvaluationResults())


def _overall(programme: ProgrammeSessions, results: dict[int, EvaluationResults]) -> EvaluationResults:
    """A programme's evaluations: those of its sessions (in the officer's scope), added up."""
    return sum((results.get(session.id, EvaluationResults()) for session in programme.sessions), EvaluationResults())


# -- programmes --------------------------------------------------------------------------


def _save_programme(registry: Registry, programme_id: int | None, values: dict[str, Value], actor: str) -> Saved | None:
    """Check a programme's form and save it; None when the programme to edit is not there.

    A new programme needs a code of its own (made of its name when none is typed); an edited one keeps its code.
    """
    training = registry.training
    if programme_id is None:
        code = str(values["code"] or "").strip() or propose_code(str(values["name"] or ""))
        fields = Fields(values={**values, "code": code})
    else:
        stored = training.programme_record(programme_id, PROVINCE)
        if stored is None:
            return None
        fields = Fields(values={**values, "code": stored.code})
    record = programme_of(fields)
    if record is None:
        return Saved(fields, None, programme_id)
    if programme_id is None:
        saved_id = training.create_programme(record)
        if saved_id is None:
            fields.complain("code", Problem(N_("%(code)s is already the code of another programme"), code=record.code))
            return Saved(fields, None, None)
        training.audit(actor, "programme_created", f"programme:{saved_id}")
        return Saved(fields, saved_id, saved_id)
    if save_programmes(registry, [record], []).programmes.updated:
        training.audit(actor, "programme_updated", f"programme:{programme_id}")
    return Saved(fields, programme_id, programme_id)


async def _programme_form(request: Request, viewer: Viewer, programme_id: int | None) -> Response:
    """Save a posted programme form: back to the list, or the form again with its problems."""
    _provincial(viewer)
    values = _posted(await request.form(), PROGRAMME_FIELDS, PROGRAMME_LISTS)
    saved = await write(request, lambda registry: _save_programme(registry, programme_id, values,
                                                                   actor_of(viewer.officer.id)))
    if saved is None:
        raise HTTPException(404)
    if saved.id is None:
        return _form_page(request, viewer, "programme_form.html", saved, saved.fields.values,
                          programme_id=programme_id)
    return RedirectResponse(f"/admin/programmes#programme-{saved.id}", status_code=303)


@officer_page
async def new_programme(request: Request, viewer: Viewer) -> Response:
    """GET /admin/programmes/new: an empty programme form, for provincial officers."""
    _provincial(viewer)
    return _form_page(request, viewer, "programme_form.html", None, {"organiser": ORGANISER}, programme_id=None)


@officer_page
async def create_programme(request: Request, viewer: Viewer) -> Response:
    """POST /admin/programmes/new: create a programme, checked as a file's programmes are."""
    return await _programme_form(request, viewer, None)


@officer_page
async def edit_programme(request: Request, viewer: Viewer) -> Response:
    """GET /admin/programmes/{id}/edit: a programme's form, filled in, for provincial officers."""
    _provincial(viewer)
    programme_id = request.path_params["programme_id"]
    record = await read(request, lambda registry: registry.training.programme_record(programme_id, PROVINCE))
    if record is None:
        raise HTTPException(404)
    return _form_page(request, viewer, "programme_form.html", None, programme_values(record),
                      programme_id=programme_id)


@officer_page
async def update_programme(request: Request, viewer: Viewer) -> Response:
    """POST /admin/programmes/{id}/edit: change a programme (its code stays), checked as a file's programmes are."""
    return await _programme_form(request, viewer, request.path_params["programme_id"])


# -- sessions ----------------------------------------------------------------------------


def _save_session(registry: Registry, viewer: Viewer, programme_id: int | None, session_id: int | None,
                  values: dict[str, Value]) -> Saved | None:
    """Check a new session of a programme, or an edited session, and save it; None when the programme or session
    is not the viewer's to change, or the session was cancelled. A kabupaten/kota officer's sessions are held in their kabupaten/kota, whatever
    was sent.

    A new session needs a code of its own in its programme (made of its date and place when none is typed);
    an edited one keeps its code.
    """
    training = registry.training
    if viewer.scope != PROVINCE:
        values = {**values, "kabupaten": viewer.scope}
    if session_id is None:
        programme = training.programme_record(programme_id, viewer.scope) if programme_id is not None else None
        if programme is None or programme_id is None:
            return None
        programme_code, programme_name = programme.code, programme.name
        code = str(values["code"] or "").strip() or propose_code(f"{str(values['starts'])[:10]} {values['place']}")
        fields = Fields(values={**values, "code": code})
    else:
        stored = training.officer_session(session_id, viewer.scope)
        if stored is None or stored.cancelled_at is not None:
            return None
        programme_id, programme_code, programme_name = stored.programme_id, stored.programme_code, stored.programme_name
        fields = Fields(values={**values, "code": stored.code})
    record = session_of(fields, programme_code)
    if record is None:
        return Saved(fields, None, programme_id, programme_name)
    actor = actor_of(viewer.officer.id)
    if session_id is None:
        saved_id = training.create_session(programme_id, record)
        if saved_id is None:
            fields.complain("code", Problem(N_("%(code)s is already the code of another session of this programme"),
                                            code=record.code))
            return Saved(fields, None, programme_id, programme_name)
        training.audit(actor, "session_created", f"session:{saved_id}")
        return Saved(fields, saved_id, programme_id, programme_name)
    if save_programmes(registry, [], [record]).sessions.updated:
        training.audit(actor, "session_updated", f"session:{session_id}")
    return Saved(fields, session_id, programme_id, programme_name)


async def _session_form(request: Request, viewer: Viewer, programme_id: int | None,
                        session_id: int | None) -> Response:
    """Save a posted session form: to the session's page, or the form again with its problems."""
    values = _posted(await request.form(), SESSION_FIELDS)
    saved = await write(request, lambda registry: _save_session(registry, viewer, programme_id, session_id, values))
    if saved is None:
        raise HTTPException(404)
    if saved.id is None:
        return _form_page(request, viewer, "session_form.html", saved, saved.fields.values,
                          programme_id=saved.programme_id, programme_name=saved.programme_name, session_id=session_id)
    return RedirectResponse(f"/admin/sessions/{saved.id}", status_code=303)


@officer_page
async def new_session(request: Request, viewer: Viewer) -> Response:
    """GET /admin/programmes/{id}/sessions/new: an empty form for a programme's new session."""
    programme_id = request.path_params["programme_id"]
    programme = await read(request, lambda registry: registry.training.programme_record(programme_id, viewer.scope))
    if programme is None:
        raise HTTPException(404)
    values: dict[str, Value] = {"kabupaten": viewer.scope if viewer.scope != PROVINCE else ""}
    return _form_page(request, viewer, "session_form.html", None, values, programme_id=programme_id,
                      programme_name=programme.name, session_id=None)


@officer_page
async def create_session(request: Request, viewer: Viewer) -> Response:
    """POST /admin/programmes/{id}/sessions/new: add a session to a programme, checked as a file's sessions are."""
    return await _session_form(request, viewer, request.path_params["programme_id"], None)


@officer_page
async def edit_session(request: Request, viewer: Viewer) -> Response:
    """GET /admin/sessions/{id}/edit: a session's form, filled in."""
    session_id = request.path_params["session_id"]
    stored = await read(request, lambda registry: registry.training.officer_session(session_id, viewer.scope))
    if stored is None or stored.cancelled_at is not None:  # a cancelled session stays as it was
        raise HTTPException(404)
    return _form_page(request, viewer, "session_form.html", None, session_values(stored.record),
                      programme_id=stored.programme_id, programme_name=stored.programme_name, session_id=session_id)


@officer_page
async def update_session(request: Request, viewer: Viewer) -> Response:
    """POST /admin/sessions/{id}/edit: change a session (its code stays); more seats go to its waiting list."""
    return await _session_form(request, viewer, None, request.path_params["session_id"])


# -- participants ------------------------------------------------------------------------


async def _session_page(request: Request, viewer: Viewer, problems: Sequence[Invalid] = ()) -> Response:
    """A session in the viewer's scope with its participants, 404 for any other; with problems said at its top,
    the answer to a mark that could not be made (400)."""
    session_id = request.path_params["session_id"]
    session, participants, evaluation, now = await read(request, lambda registry: (
        registry.training.officer_session(session_id, viewer.scope),
        registry.training.participants(session_id, viewer.scope),
        registry.training.session_evaluation(session_id, viewer.scope), registry.now))
    if session is None:
        raise HTTPException(404)
    groups = [(status, [one for one in participants if one.status == status]) for status in ENROLLMENT_LABELS]
    started = session.starts_at <= now
    return render(request, "session.html", viewer, status_code=400 if problems else 200, session=session,
                  groups=groups, started=started, problems=problems, markable_statuses=MARKABLE,
                  can_mark=started and any(one.status in MARKABLE for one in participants),
                  evaluation=evaluation, answers=_written_answers(participants))


def _written_answers(participants: list[Participant]) -> list[EvaluationAnswer]:
    """The evaluations that say in words what an owner will apply or thinks, as they came in."""
    written = [one.evaluation for one in participants
               if one.evaluation is not None and (one.evaluation.will_apply or one.evaluation.comment)]
    return sorted(written, key=lambda answer: (answer.answered_at or answer.asked_at))


@officer_page
async def show_session(request: Request, viewer: Viewer) -> Response:
    """GET /admin/sessions/{id}: a session's seats and participants, with attendance to mark once it has started."""
    return await _session_page(request, viewer)


@officer_page
async def mark_attendance(request: Request, viewer: Viewer) -> Response:
    """POST /admin/sessions/{id}/attendance: mark the owners ticked (`owner`, as often as ticked) as having come
    (`attended=yes`) or not (`no`), all at once, once the session has started."""
    session_id = request.path_params["session_id"]
    form = await request.form()
    owners, attended = form.getlist("owner"), form.get("attended")
    if attended not in ("yes", "no") or not all(
            isinstance(owner, str) and owner.isdecimal() and int(owner) <= LARGEST_ID for owner in owners):
        raise HTTPException(400)
    marked: Marked = await write(request, lambda registry: registry.training.mark_attendance(
        session_id, [int(owner) for owner in owners], attended == "yes", viewer.scope, actor_of(viewer.officer.id)))
    if marked.outcome == Attendance.NO_SESSION:
        raise HTTPException(404)
    if marked.outcome == Attendance.NOT_STARTED:
        return await _session_page(request, viewer, [
            Invalid(N_("Attendance can be marked once the session has started."), field="attendance")])
    if not owners:
        return await _session_page(request, viewer, [
            Invalid(N_("Tick the participants to mark first."), field="attendance")])
    return RedirectResponse(f"/admin/sessions/{session_id}#participants-{'attended' if attended == 'yes' else 'absent'}",
                            status_code=303)


@officer_page
async def cancel(request: Request, viewer: Viewer) -> Response:
    """POST /admin/sessions/{id}/cancel: cancel a session still ahead, once the officer ticked that they mean it;
    its owners are told."""
    session_id = request.path_params["session_id"]
    form = await request.form()
    if form.get("confirm") != "yes":
        return await _session_page(request, viewer, [
            Invalid(N_("Tick the box to say you mean to cancel the session."), field="cancel")])

    def cancelled(registry: Registry) -> bool | None:
        if registry.training.officer_session(session_id, viewer.scope) is None:
            return None
        return cancel_session(registry, session_id, viewer.scope, actor_of(viewer.officer.id)) is not None

    done = await write(request, cancelled)
    if done is None:
        raise HTTPException(404)
    if not done:
        return await _session_page(request, viewer, [
            Invalid(N_("Only a session that has not started yet can be cancelled."), field="cancel")])
    return RedirectResponse(f"/admin/sessions/{session_id}", status_code=303)


def _csv_download(header: Sequence[str], rows: Iterable[Sequence[object]], name: str) -> Response:
    """Rows under their header, as a spreadsheet opens them: UTF-8 with a byte order mark, to save as `name`.csv."""
    text = Text(DEFAULT_LANGUAGE)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([text(title) for title in header])
    writer.writerows(rows)
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def _participant_rows(participants: list[Participant]) -> Iterator[list[object]]:
    """The participant list, owners' text guarded, each with their evaluation once asked."""
    text = Text(DEFAULT_LANGUAGE)
    for one in participants:
        evaluation = one.evaluation
        yield [csv_text(one.name), one.phone, csv_text(one.business), one.registration_number,
               region(one.kabupaten_code).name if one.kabupaten_code else "",
               text(ENROLLMENT_LABELS[Status(one.status)]), one.position,
               *((evaluation.usefulness, evaluation.trainer, csv_text(evaluation.will_apply),
                  csv_text(evaluation.comment)) if evaluation is not None else ("", "", "", ""))]


@officer_page
async def download_participants(request: Request, viewer: Viewer) -> Response:
    """GET /admin/sessions/{id}/participants.csv: a session's participants as CSV, recorded as an export."""
    session_id = request.path_params["session_id"]

    def export(registry: Registry) -> tuple[SessionSeats, list[Participant]] | None:
        session = registry.training.officer_session(session_id, viewer.scope)
        if session is None:
            return None
        export_id = registry.exports.start(viewer.officer.id, "participants", "csv", {"session": session_id},
                                           full_nik=False, reason=None, scope=viewer.scope)
        participants = registry.training.participants(session_id, viewer.scope)
        registry.exports.finish(export_id, len(participants), complete=True)
        return session, participants

    found = await write(request, export)
    if found is None:
        raise HTTPException(404)
    session, participants = found
    return _csv_download(CSV_HEADER, _participant_rows(participants),
                         propose_code(f"peserta {session.programme_code} {session.code}") or "peserta")


def _evaluation_rows(programme: ProgrammeSessions, results: dict[int, EvaluationResults]) -> Iterator[list[object]]:
    """A programme's evaluations: a row per session in the officer's scope, then the programme's, added up."""

    def figures(evaluation: EvaluationResults) -> list[object]:
        rate = evaluation.response_rate
        return [evaluation.asked, evaluation.answered, round(rate * 100) if rate is not None else "",
                _rounded(evaluation.usefulness.average), evaluation.usefulness.count,
                _rounded(evaluation.trainer.average), evaluation.trainer.count]

    for session in programme.sessions:
        yield [session.code, wib_text(session.starts_at), csv_text(session.place),
               region(session.kabupaten_code).name, *figures(results.get(session.id, EvaluationResults()))]
    yield [Text(DEFAULT_LANGUAGE)(N_("All sessions")), "", "", "", *figures(_overall(programme, results))]


def _rounded(average: float | None) -> float | str:
    """An average rating as the page shows it, to one decimal; nothing when nobody gave one."""
    return round(average, 1) if average is not None else ""


@officer_page
async def download_evaluations(request: Request, viewer: Viewer) -> Response:
    """GET /admin/programmes/{id}/evaluations.csv: a programme's evaluations per session and in all, as CSV,
    recorded as an export."""
    programme_id = request.path_params["programme_id"]

    def export(registry: Registry) -> tuple[ProgrammeSessions, dict[int, EvaluationResults]] | None:
        training = registry.training
        programme = training.programme_sessions(programme_id, viewer.scope)
        if programme is None:
            return None
        export_id = registry.exports.start(viewer.officer.id, "evaluations", "csv", {"programme": programme_id},
                                           full_nik=False, reason=None, scope=viewer.scope)
        results = training.evaluation_results(viewer.scope, programme_id)
        registry.exports.finish(export_id, len(programme.sessions) + 1, complete=True)
        return programme, results

    found = await write(request, export)
    if found is None:
        raise HTTPException(404)
    programme, results = found
    return _csv_download(EVALUATIONS_HEADER, _evaluation_rows(programme, results),
                         propose_code(f"evaluasi {programme.code}") or "evaluasi")


routes = [
    Route("/programmes", list_programmes, methods=["GET"]),
    Route("/programmes/new", new_programme, methods=["GET"]),
    Route("/programmes/new", create_programme, methods=["POST"]),
    Route("/programmes/{programme_id:id}/edit", edit_programme, methods=["GET"]),
    Route("/programmes/{programme_id:id}/edit", update_programme, methods=["POST"]),
    Route("/programmes/{programme_id:id}/sessions/new", new_session, methods=["GET"]),
    Route("/programmes/{programme_id:id}/sessions/new", create_session, methods=["POST"]),
    Route("/programmes/{programme_id:id}/evaluations.csv", download_evaluations, methods=["GET"]),
    Route("/sessions/{session_id:id}", show_session, methods=["GET"]),
    Route("/sessions/{session_id:id}/edit", edit_session, methods=["GET"]),
    Route("/sessions/{session_id:id}/edit", update_session, methods=["POST"]),
    Route("/sessions/{session_id:id}/attendance", mark_attendance, methods=["POST"]),
    Route("/sessions/{session_id:id}/cancel", cancel, methods=["POST"]),
    Route("/sessions/{session_id:id}/participants.csv", download_participants, methods=["GET"]),
]
