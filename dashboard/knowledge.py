"""The knowledge base in the dashboard: every entry, one entry's form and history, adding, editing, retiring.

Every officer reads it; provincial officers change it (an entry answers owners in every kabupaten/kota). Each
change keeps the entry's new version and an audit event (store/knowledge.py). A new entry can start from an
answered question: its owner's first words as the question, the officer's last reply as the answer.
"""

import re
from dataclasses import asdict

from sqlalchemy.exc import IntegrityError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dashboard.access import officer_page
from dashboard.forms import typed_text
from dashboard.pages import render
from dashboard.work import read, write
from domain.invalid import Invalid
from domain.msgid import N_
from domain.regions import kabupaten_list
from domain.topics import TOPICS
from store.knowledge import EntryContent, check
from store.logins import Viewer
from store.officers import PROVINCE
from store.registry import Registry

PATH = "/admin/knowledge"
ROUTE = PATH.removeprefix("/admin")  # the dashboard is mounted at /admin
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,59}")
TEXT_LONGEST = 4000
FIELDS = ("slug", "topic", "kabupaten", "question_id", "question_en", "answer_id", "answer_en", "variants_id",
          "variants_en", "programmes", "hands_over", "source")
CHANGE_LABELS = {"shipped": N_("Came with TABE"), "added": N_("Added"), "edited": N_("Edited"),
                 "retired": N_("Retired"), "restored": N_("Answering again")}
BAD_SLUG = N_("The short name takes 2 to 60 small letters, digits and dashes, for example \"nib-cara\".")
SLUG_TAKEN = N_("Another entry already has this short name.")


def _provincial(viewer: Viewer) -> None:
    if viewer.scope != PROVINCE:
        raise HTTPException(403)


def _typed(form: FormData) -> dict[str, str]:
    return {name: typed_text(form.get(name))[:TEXT_LONGEST] for name in FIELDS}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def content_of(typed: dict[str, str]) -> EntryContent:
    """The entry the form describes, checked; Invalid says what is wrong."""
    if not SLUG.fullmatch(typed["slug"]):
        raise Invalid(BAD_SLUG)
    kabupaten = typed["kabupaten"] if typed["kabupaten"] in {place.code for place in kabupaten_list()} else None
    question = {language: typed[f"question_{language}"].strip() for language in ("id", "en")
                if typed[f"question_{language}"].strip()}
    answer = {language: typed[f"answer_{language}"].strip() for language in ("id", "en")
              if typed[f"answer_{language}"].strip()}
    variants = {language: _lines(typed[f"variants_{language}"]) for language in ("id", "en")
                if _lines(typed[f"variants_{language}"])}
    return check(EntryContent(typed["slug"], typed["topic"], question, answer, variants, kabupaten,
                              [code.strip() for code in typed["programmes"].split(",") if code.strip()],
                              typed["hands_over"] == "on", typed["source"].strip()))


def typed_from(content: EntryContent) -> dict[str, str]:
    """An entry as its form shows it."""
    values = asdict(content)
    return {"slug": content.slug, "topic": content.topic, "kabupaten": content.kabupaten_code or "",
            **{f"{part}_{language}": values[part].get(language, "") for part in ("question", "answer")
               for language in ("id", "en")},
            **{f"variants_{language}": "\n".join(content.variants.get(language, [])) for language in ("id", "en")},
            "programmes": ", ".join(content.programme_codes), "hands_over": "on" if content.hands_over else "",
            "source": content.source}


@officer_page
async def list_entries(request: Request, viewer: Viewer) -> Response:
    """GET /admin/knowledge: every entry, retired ones marked."""
    entries = await read(request, lambda registry: registry.knowledge.every())
    return render(request, "knowledge.html", viewer, entries=entries, topics=TOPICS)


@officer_page
async def new_entry(request: Request, viewer: Viewer) -> Response:
    """GET /admin/knowledge/new, optionally from an answered question (?from_question=N)."""
    _provincial(viewer)
    typed = dict.fromkeys(FIELDS, "")
    source = typed_text(request.query_params.get("from_question"))
    if source.isdigit():
        def from_question(registry: Registry) -> tuple[str, str]:
            thread = registry.questions.thread(int(source))
            asked = next((message.text for message in thread if message.officer_id is None), "")
            replied = next((message.text for message in reversed(thread) if message.officer_id is not None), "")
            return asked, replied
        typed["question_id"], typed["answer_id"] = await read(request, from_question)
    return render(request, "knowledge_entry.html", viewer, typed=typed, entry=None, history=[], problem=None,
                  topics=TOPICS, change_labels=CHANGE_LABELS)


@officer_page
async def add_entry(request: Request, viewer: Viewer) -> Response:
    """POST /admin/knowledge/new."""
    _provincial(viewer)
    typed = _typed(await request.form())
    try:
        content = content_of(typed)
        entry_id = await write(request, lambda registry: registry.knowledge.add(content, viewer.officer.id))
    except (Invalid, IntegrityError) as problem:
        return _refused(request, viewer, typed, None, problem)
    return RedirectResponse(f"{PATH}/{entry_id}", status_code=303)


@officer_page
async def show_entry(request: Request, viewer: Viewer) -> Response:
    """GET /admin/knowledge/{id}: the entry's form and its whole history."""
    entry_id = request.path_params["entry_id"]
    entry, history = await read(request, lambda registry: (registry.knowledge.get(entry_id),
                                                           registry.knowledge.history(entry_id)))
    if entry is None:
        raise HTTPException(404)
    return render(request, "knowledge_entry.html", viewer, typed=typed_from(entry.content), entry=entry,
                  history=history, problem=None, topics=TOPICS, change_labels=CHANGE_LABELS)


@officer_page
async def edit_entry(request: Request, viewer: Viewer) -> Response:
    """POST /admin/knowledge/{id}: what the entry says from now on."""
    _provincial(viewer)
    entry_id = request.path_params["entry_id"]
    typed = _typed(await request.form())
    try:
        content = content_of(typed)
        found = await write(request, lambda registry: registry.knowledge.edit(entry_id, content, viewer.officer.id))
    except (Invalid, IntegrityError) as problem:
        return _refused(request, viewer, typed, entry_id, problem)
    if not found:
        raise HTTPException(404)
    return RedirectResponse(f"{PATH}/{entry_id}", status_code=303)


def _retiring(retire: bool):  # noqa: ANN202 - an endpoint
    @officer_page
    async def endpoint(request: Request, viewer: Viewer) -> Response:
        """POST /admin/knowledge/{id}/retire or /restore: the entry stops (or starts again) answering owners."""
        _provincial(viewer)
        entry_id = request.path_params["entry_id"]
        knowledge = (lambda registry: registry.knowledge.retire(entry_id, viewer.officer.id)) if retire else \
            (lambda registry: registry.knowledge.restore(entry_id, viewer.officer.id))
        if not await write(request, knowledge):
            raise HTTPException(404)
        return RedirectResponse(f"{PATH}/{entry_id}", status_code=303)
    return endpoint


def _refused(request: Request, viewer: Viewer, typed: dict[str, str], entry_id: int | None,
             problem: Exception) -> Response:
    """The form again, as typed, with what is wrong."""
    reason = problem if isinstance(problem, Invalid) else Invalid(SLUG_TAKEN)
    return render(request, "knowledge_entry.html", viewer, typed=typed, entry=None, history=[], problem=reason,
                  topics=TOPICS, entry_id=entry_id, status_code=400)


routes = [
    Route(ROUTE, list_entries, methods=["GET"]),
    Route(ROUTE + "/new", new_entry, methods=["GET"]),
    Route(ROUTE + "/new", add_entry, methods=["POST"]),
    Route(ROUTE + "/{entry_id:id}", show_entry, methods=["GET"]),
    Route(ROUTE + "/{entry_id:id}", edit_entry, methods=["POST"]),
    Route(ROUTE + "/{entry_id:id}/retire", _retiring(retire=True), methods=["POST"]),
    Route(ROUTE + "/{entry_id:id}/restore", _retiring(retire=False), methods=["POST"]),
]
