"""Rendering a dashboard page: the Jinja2 templates, in the catalogs' words, with the registry's labels.

Autoescaping is on for every template, so whatever owners typed (names, addresses) is shown as text.
"""

from datetime import datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from dashboard.access import CSRF_FIELD
from domain.assessment import Dimension, Level
from domain.classes import BusinessClass
from domain.msgid import N_
from domain.regions import kabupaten_list, kecamatan_of, region
from domain.sectors import SECTORS
from domain.wib import in_wib
from flows.i18n import DEFAULT_LANGUAGE, Text, catalog
from store.logins import Viewer
from store.officers import PROVINCE
from store.training import Status

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

_SECTOR_LABELS = {sector.key: sector.label for sector in SECTORS}
_CLASS_LABELS = {business_class.value: business_class.label for business_class in BusinessClass}
_LEVEL_LABELS = {level.value: level.label for level in Level}
_DIMENSION_LABELS = {dimension.value: dimension.label for dimension in Dimension}
# An owner's place in a training session, in words: on a business's page, a session's page and its participant list.
ENROLLMENT_LABELS = {Status.REGISTERED: N_("Registered"), Status.WAITLISTED: N_("On the waiting list"),
                     Status.ATTENDED: N_("Attended"), Status.ABSENT: N_("Absent"), Status.CANCELLED: N_("Cancelled")}


def short_day(moment: datetime) -> str:
    """The WIB calendar day of a moment, short enough for a table column: 27 Nov 2026."""
    return format_date(in_wib(moment).date(), "d MMM y", locale=DEFAULT_LANGUAGE)


def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                              extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    environment.install_gettext_translations(catalog(DEFAULT_LANGUAGE), newstyle=True)  # type: ignore[attr-defined]
    text = Text(DEFAULT_LANGUAGE)
    environment.globals.update(
        text=text, csrf_field=CSRF_FIELD, province=PROVINCE,
        region_name=lambda code: region(code).name if code else "", short_day=short_day,
        kabupaten_list=kabupaten_list, kecamatan_of=kecamatan_of,
        sectors=[(key, text(label)) for key, label in _SECTOR_LABELS.items()],
        classes=[(key, text(label)) for key, label in _CLASS_LABELS.items() if key != BusinessClass.BESAR],
        levels=[(key, text(label)) for key, label in _LEVEL_LABELS.items()],
        dimensions=[(key, text(label)) for key, label in _DIMENSION_LABELS.items()],
    )
    environment.filters.update(
        sector=lambda key: text(_SECTOR_LABELS[key]) if key in _SECTOR_LABELS else key or "",
        business_class=lambda key: text(_CLASS_LABELS[key]) if key in _CLASS_LABELS else key or "",
        level=lambda key: text(_LEVEL_LABELS[key]) if key in _LEVEL_LABELS else key or "",
        dimension=lambda key: text(_DIMENSION_LABELS[key]) if key in _DIMENSION_LABELS else key or "",
        enrollment=lambda status: text(ENROLLMENT_LABELS[status]) if status in ENROLLMENT_LABELS else status or "",
        number=lambda value: text.number(value) if value is not None else "–",
        average=lambda value: text.number(round(value, 1)) if value is not None else "–",
        percent=lambda share: f"{text.number(round(share * 100))}%" if share is not None else "–",
        money=lambda value: text.money(value) if value is not None else "–",
        moment=lambda value: text.moment(value) if value is not None else "–",
        day=lambda value: text.date(value) if value is not None else "–",
    )
    return environment


templates = Jinja2Templates(env=_environment())


def render(request: Request, template: str, viewer: Viewer | None = None, status_code: int = 200,
           **context: Any) -> Response:  # noqa: ANN401 - whatever the template shows
    """A page for the viewer (None before logging in), with the scope and CSRF token every page may need."""
    return templates.TemplateResponse(request, template, {"viewer": viewer, **context}, status_code=status_code)
