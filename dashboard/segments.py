"""Whom an officer's message from the dashboard is for: any of the chat's conditions together (flows/announce.py's:
kabupaten, sector, class, programme, one session, level), each a list of choices within the viewer's scope.

The announcement and the survey forms both choose with these, and the template macro `_conditions.html` shows them.
"""

from collections.abc import Mapping
from typing import Any

from domain.assessment import Level
from domain.classes import UMKM_CLASSES
from domain.invalid import Invalid
from domain.msgid import N_
from domain.regions import kabupaten_list
from domain.sectors import SECTORS
from flows.announce import CONDITIONS, EVERYONE, audiences, programmes_in, session_words, sessions_in
from flows.i18n import DEFAULT_LANGUAGE, Text
from store.announcements import Segment
from store.logins import Viewer
from store.registry import Registry

NUMBERED = ("programme_id", "session_id")  # conditions whose values are ids

_words = Text(DEFAULT_LANGUAGE)


def posted_conditions(form: Mapping[str, Any]) -> dict[str, str]:
    """The conditions a form chose: each condition's field with a value, as posted."""
    values = {name: form.get(name) for name in CONDITIONS}
    return {name: value.strip() for name, value in values.items() if isinstance(value, str) and value.strip()}


def kabupaten_named(form: Mapping[str, Any]) -> str | None:
    """The kabupaten/kota a form names, for require_scope to refuse (403) before anything else is looked at."""
    found = form.get("kabupaten")
    return found.strip() if isinstance(found, str) else None


def condition_options(registry: Registry, viewer: Viewer) -> dict[str, list[tuple[str, str]]]:
    """Each condition's choices as the form offers them: (value, words), within the viewer's scope."""
    return {
        "kabupaten": [(place.code, place.name) for place in kabupaten_list()],
        "sector": [(sector.key, _words(sector.label)) for sector in SECTORS],
        "business_class": [(option.value, _words(option.label)) for option in UMKM_CLASSES],
        "programme_id": [(str(number), name) for number, name in programmes_in(registry, viewer.scope)],
        "session_id": [(str(number), session_words(session, _words))
                       for number, session in sessions_in(registry, viewer.scope)],
        "level": [(option.value, _words(option.label)) for option in Level],
    }


def conditions_context(registry: Registry, viewer: Viewer) -> dict[str, Any]:
    """What `_conditions.html` shows: the conditions the viewer may choose, with their words and choices, and whom
    none of them means."""
    offered = audiences(registry, viewer.officer, _words)
    return {"conditions": [(key, words) for key, words in offered if key != EVERYONE],
            "everyone": dict(offered)[EVERYONE], "options": condition_options(registry, viewer)}


def read_segment(registry: Registry, viewer: Viewer, chosen: Mapping[str, str]) -> tuple[Segment | None,
                                                                                          list[Invalid]]:
    """The segment the chosen conditions make inside the viewer's scope, or what is wrong with them: a condition
    the viewer is not offered, or a choice not in its list."""
    offered, options = dict(audiences(registry, viewer.officer, _words)), condition_options(registry, viewer)
    if set(chosen) - set(offered):
        return None, [Invalid(N_("Choose who should get it from the list."), field="audience")]
    problems = [Invalid(N_("Choose one from the list."), field=name)
                for name, value in chosen.items() if value not in dict(options[name])]
    if problems:
        return None, problems
    return Segment(viewer.scope, **{name: int(value) if name in NUMBERED else value
                                    for name, value in chosen.items()}), []
