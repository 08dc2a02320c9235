"""The registrations: a filtered, sorted table of businesses a page at a time, and one business's own page.

One function (`read_filter`) turns what was typed into a RegistrationFilter and its problems, for the table
and for every download of it (dashboard/exports.py), so a file always holds what the table lists.
"""

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard.access import officer_page, require_scope
from dashboard.forms import typed_text
from dashboard.pages import render
from dashboard.paging import Pager, page_number
from dashboard.work import read, today_of, write
from domain.assessment import LEVELS
from domain.channels import LABELS
from domain.invalid import Invalid
from domain.msgid import N_
from domain.outbox import (
    ANNOUNCEMENT,
    ERASED,
    NO_TEMPLATE,
    REMINDER,
    REMINDER_WEEK,
    SEAT,
    SESSION_CANCELLED,
    SESSION_CHANGED,
    STOPPED,
    TIMED_OUT,
)
from domain.regions import kabupaten_list, kecamatan_of
from domain.sectors import SECTORS
from flows.i18n import DEFAULT_LANGUAGE, Text
from flows.notices import session_text
from flows.parsing import is_mobile, looks_like_nik, parse_nik, parse_phone
from store.logins import Viewer
from store.officers import PROVINCE
from store.registrations import (
    BUSINESS_CLASSES,
    NEVER_ASSESSED,
    SORTS,
    MessageEntry,
    RegistrationFilter,
    RegistrationRow,
    mask_nik,
)
from store.registry import Registry

PATH = "/admin/registrations"
PAGE_SIZE = 50
SEARCH_LONGEST = 100
FIRST_YEAR, LAST_YEAR = 1900, 9998  # of a date typed in the filter
FILTER_FIELDS = ("search", "kabupaten", "kecamatan", "sector", "business_class", "has_nib", "level",
                 "registered_from", "registered_to")
ORDER_FIELDS = ("sort", "order", "page")
# Sorted by these, an officer first wants the top of the list: the newest, the highest score.
DESCENDING_FIRST = ("registered_at", "score")
YES, NO = "yes", "no"

# The filter's fields as officers read them: in the form, and in the list of past exports.
FILTER_LABELS = {
    "scope": N_("Area"),
    "search": N_("Business, owner, registration number or phone"),
    "phone": N_("Owner's phone"),
    "nik": N_("Owner's NIK"),
    "kabupaten": N_("Kabupaten/kota"),
    "kecamatan": N_("Kecamatan"),
    "sector": N_("Sector"),
    "business_class": N_("Class"),
    "has_nib": N_("Has a NIB"),
    "level": N_("Assessment level"),
    "registered_from": N_("Registered from"),
    "registered_to": N_("Registered until"),
}
# What was sent to an owner, in words (their places in training: dashboard/pages.py's ENROLLMENT_LABELS).
MESSAGE_KINDS = {ANNOUNCEMENT: N_("Announcement"), SEAT: N_("Seat given"), REMINDER: N_("Session reminder"),
                 REMINDER_WEEK: N_("Session reminder, a week before"), SESSION_CHANGED: N_("Session changed"),
                 SESSION_CANCELLED: N_("Session cancelled")}
DELIVERY = {"pending": N_("Waiting"), "sending": N_("Sending"), "sent": N_("Sent"), "delivered": N_("Delivered"),
            "failed": N_("Failed"), "cancelled": N_("Not sent")}

# Why a message did not go, when our own code says it (the registry, bot/delivery.py) in words of its own; any
# other reason is the provider's own message, shown as it is under a label (delivery_problem).
DELIVERY_PROBLEMS = {
    STOPPED: N_("said \"berhenti\" first"),
    ERASED: N_("deleted their data first"),
    NO_TEMPLATE: N_("more than 24 hours since the owner last wrote on WhatsApp, and no WhatsApp template is set up"),
    TIMED_OUT: N_("the provider did not answer in time"),
}

# A search of nothing but a number's signs may be a phone number: digits, spaces, dots, dashes, brackets, a plus.
_NUMBER_SIGNS = re.compile(r"\+?[\d\s.\-()]+")
_KABUPATEN = frozenset(region.code for region in kabupaten_list())
_SECTORS = frozenset(sector.key for sector in SECTORS)
_words = Text(DEFAULT_LANGUAGE)


def typed_values(source: Mapping[str, Any],
                 fields: tuple[str, ...] = (*FILTER_FIELDS, *ORDER_FIELDS)) -> dict[str, str]:
    """These fields as typed (query or form), trimmed; empty and unknown ones left out."""
    found = {name: typed_text(source.get(name)).strip() for name in fields}
    return {name: text for name, text in found.items() if text}


def read_filter(viewer: Viewer, typed: Mapping[str, str], today: date) -> tuple[RegistrationFilter, list[Invalid]]:
    """The filter the typed values ask for within the viewer's scope, and what is wrong with them.

    A search that is a phone number finds the owner with that phone; one that is a NIK, its owner, for the
    province's officers only. Naming a kabupaten/kota (or one of its kecamatan) outside the viewer's scope is
    refused outright (403).
    """
    problems: list[Invalid] = []
    kabupaten = typed.get("kabupaten")
    require_scope(viewer, kabupaten)
    if kabupaten is not None and kabupaten not in _KABUPATEN:
        problems.append(Invalid(N_("Choose a kabupaten/kota from the list."), field="kabupaten"))
    kecamatan = typed.get("kecamatan")
    if kecamatan is not None:
        parent = kecamatan[:5]  # Kemendagri: "62.03.01" lies in "62.03"
        require_scope(viewer, parent)
        if kecamatan not in {region.code for region in kecamatan_of(kabupaten or parent)}:
            problems.append(Invalid(N_("Choose a kecamatan of the chosen kabupaten/kota."), field="kecamatan"))
    search = typed.get("search", "")
    if len(search) > SEARCH_LONGEST:
        problems.append(Invalid(N_("Search for at most 100 characters."), field="search"))
    phone = nik = None
    if looks_like_nik(search):
        nik, search = _nik_searched(viewer, search, today, problems), ""
    elif (phone := _phone_searched(search)) is not None:
        search = ""
    sector = _one_of(typed, "sector", _SECTORS, problems)
    business_class = _one_of(typed, "business_class", BUSINESS_CLASSES, problems)
    has_nib = _one_of(typed, "has_nib", (YES, NO), problems)
    level = _one_of(typed, "level", (*LEVELS, NEVER_ASSESSED), problems)
    registered_from = _day(typed, "registered_from", problems)
    registered_to = _day(typed, "registered_to", problems)
    if registered_from and registered_to and registered_from > registered_to:
        problems.append(Invalid(N_("This date is before the first one."), field="registered_to"))
    where = RegistrationFilter(scope=viewer.scope, search=search, phone=phone, nik=nik, kabupaten=kabupaten,
                               kecamatan=kecamatan, sector=sector, business_class=business_class,
                               has_nib=None if has_nib is None else has_nib == YES, level=level,
                               registered_from=registered_from, registered_to=registered_to)
    return where, problems


def _nik_searched(viewer: Viewer, search: str, today: date, problems: list[Invalid]) -> str | None:
    """The NIK a provincial officer searches for; None, and the problem, for anyone else or a NIK that cannot be."""
    if viewer.scope != PROVINCE:
        problems.append(Invalid(N_("Searching by NIK is for the province's officers; please search by name, phone "
                                   "or registration number."), field="search"))
        return None
    try:
        return parse_nik(search, today=today)
    except Invalid as problem:
        problems.append(Invalid(problem.reason, field="search", **problem.params))
        return None


def _phone_searched(search: str) -> str | None:
    """The phone number a search is, in E.164, however it was typed ("0812-3456-7890", "+62 812…", "812…").

    A number with no 0 or plus in front is a phone only if it reaches a mobile: "6202-000123" is a piece of a
    registration number ("UMKM-6202-000123"), though it would be a landline too.
    """
    if not _NUMBER_SIGNS.fullmatch(search):
        return None
    try:
        phone = parse_phone(search)
    except Invalid:
        return None
    return phone if search.startswith(("0", "+")) or is_mobile(phone) else None


def _shown_back(typed: Mapping[str, str]) -> dict[str, str]:
    """What was typed, to be shown and linked again: without a NIK searched for, which is personal data."""
    return {name: value for name, value in typed.items() if name != "search" or not looks_like_nik(value)}


def _one_of(typed: Mapping[str, str], field: str, allowed: tuple[str, ...] | frozenset[str],
            problems: list[Invalid]) -> str | None:
    value = typed.get(field)
    if value is not None and value not in allowed:
        problems.append(Invalid(N_("Choose one of the list."), field=field))
        return None
    return value


def _day(typed: Mapping[str, str], field: str, problems: list[Invalid]) -> date | None:
    value = typed.get(field)
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        problems.append(Invalid(N_("Give a date as year-month-day, for example 2026-11-27."), field=field))
        return None
    # Python's first and last days overflow when their WIB day is turned into UTC; no registration is near them.
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        problems.append(Invalid(N_("Give a date between the years 1900 and 9998."), field=field))
        return None
    return day


def read_order(typed: Mapping[str, str], problems: list[Invalid]) -> tuple[str, bool, int]:
    """The sort key, whether descending, and the page number asked for; what is wrong goes into `problems`."""
    sort = typed.get("sort", "registered_at")
    if sort not in SORTS:
        problems.append(Invalid(N_("The table cannot be sorted that way."), field="sort"))
        sort = "registered_at"
    order = typed.get("order", "desc" if sort in DESCENDING_FIRST else "asc")
    if order not in ("asc", "desc"):
        problems.append(Invalid(N_("The table cannot be sorted that way."), field="order"))
    page = page_number(typed.get("page"))
    if page is None:
        problems.append(Invalid(N_("Page numbers start at 1."), field="page"))
    return sort, order == "desc", page or 1


def link(path: str, typed: Mapping[str, str], **changes: object) -> str:
    """`path` with the typed parameters, some changed (None drops one): a filtered view is a link."""
    query = {name: value for name, value in {**typed, **changes}.items() if value is not None}
    return f"{path}?{urlencode(query)}" if query else path


def message_words(message: MessageEntry) -> str:
    """What the owner read, or will: a message about a session as the worker writes it, from the session now."""
    if message.session is not None:
        return session_text(message.kind, message.session, DEFAULT_LANGUAGE)
    return message.text or ""


def delivery_problem(error: str | None) -> str:
    """Why a message did not go, in words: our own for what our code writes, else the provider's, labelled."""
    if not error:
        return ""
    if error in DELIVERY_PROBLEMS:
        return _words(DELIVERY_PROBLEMS[error])
    return _words(N_("Provider's reason: %(reason)s"), reason=error)


def registrations_page(request: Request, viewer: Viewer, typed: Mapping[str, str], problems: Sequence[Invalid],
                       listing: dict[str, Any] | None = None) -> Response:
    """The form as typed (a NIK left out), each problem by its field (400 when there is any), and the listing if
    there is one."""
    typed = _shown_back(typed)
    filter_only = {name: value for name, value in typed.items() if name in FILTER_FIELDS}
    chosen = typed.get("kabupaten") if viewer.scope == PROVINCE else viewer.scope
    return render(
        request, "registrations.html", viewer, status_code=400 if problems else 200,
        typed=typed, filter_only=filter_only, problems=problems, listing=listing, labels=FILTER_LABELS,
        kecamatan_groups=[(region, kecamatan_of(region.code)) for region in kabupaten_list()
                          if region.code == chosen or chosen is None],
        never_assessed=NEVER_ASSESSED, csv_link=link(f"{PATH}.csv", filter_only),
        xlsx_link=link(f"{PATH}.xlsx", filter_only))


@officer_page
async def show_registrations(request: Request, viewer: Viewer) -> Response:
    """GET /admin/registrations: the businesses the filter chooses, a page at a time, in the order asked for."""
    typed = typed_values(request.query_params)
    where, problems = read_filter(viewer, typed, today_of(request))
    sort, descending, page = read_order(typed, problems)
    if problems:
        return registrations_page(request, viewer, typed, problems)
    typed = _shown_back(typed)  # a search by NIK goes in no link: the NIK would be in the page
    query = {name: value for name, value in typed.items() if name != "page"}

    def listing(registry: Registry) -> tuple[int, Pager, list[RegistrationRow]]:
        total = registry.registrations.count(where)
        if where.nik is not None:
            registry.registrations.audit_nik_search(viewer.officer.id, total)
        pager = Pager.over(page, total, PAGE_SIZE, query)
        return total, pager, registry.registrations.page(where, sort, descending, pager.offset, pager.size)

    total, pager, rows = await (read if where.nik is None else write)(request, listing)
    sort_links = {key: link(PATH, typed, sort=key, page=None,
                            order=("asc" if descending else "desc") if key == sort
                            else ("desc" if key in DESCENDING_FIRST else "asc"))
                  for key in SORTS}
    return registrations_page(request, viewer, typed, problems, listing={
        "total": total, "pager": pager, "rows": rows, "sort": sort, "descending": descending,
        "sort_links": sort_links, "by_nik": mask_nik(where.nik) if where.nik is not None else None,
    })


@officer_page
async def show_business(request: Request, viewer: Viewer) -> Response:
    """GET /admin/businesses/{id}: one business's data, owner, assessments, places in training and messages."""
    business_id: int = request.path_params["business_id"]
    business = await read(request, lambda registry: registry.registrations.business(business_id, viewer.scope))
    if business is None:
        raise HTTPException(404)
    return render(request, "business.html", viewer, business=business, kinds=MESSAGE_KINDS, channels=LABELS,
                  message_words=message_words, delivery=DELIVERY, delivery_problem=delivery_problem)


routes = [
    Route("/registrations", show_registrations, methods=["GET"]),
    Route("/businesses/{business_id:id}", show_business, methods=["GET"]),
]
