"""The overview: how many are registered, where, what kind, since when, how they assess, how programmes fill.

The store counts everything inside the officer's scope in one unit of work (store/statistics.py); this page
only names the numbers, draws them (dashboard/charts.py) and lists each chart's numbers in a table under it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard.access import officer_page
from dashboard.charts import LOCALE, Rows, bar_chart, column_chart, figure
from dashboard.pages import render, templates
from dashboard.work import read
from domain.msgid import N_
from domain.regions import region
from flows.i18n import DEFAULT_LANGUAGE, Text
from store.logins import Viewer
from store.officers import PROVINCE
from store.statistics import Overview, ProgrammeFill

_text = Text(DEFAULT_LANGUAGE)
_label = templates.env.filters  # sector, business_class, level, dimension: the codes in the pages' words


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart of the overview and the table of exactly the numbers it draws."""

    key: str  # the element id of the chart's section
    title: str
    svg: Markup
    columns: tuple[str, ...]  # the table's headings: what a row is, then its numbers
    rows: list[tuple[str, ...]]  # a label, then its numbers as the chart writes them


@officer_page
async def show_overview(request: Request, viewer: Viewer) -> Response:
    """GET /admin/: the figures and charts of the viewer's scope, each chart's numbers in a table under it."""
    overview = await read(request, lambda registry: registry.statistics.overview(viewer.scope))
    return render(request, "overview.html", viewer, overview=overview,
                  average_score=figure(_one_decimal(overview.average_score)),
                  charts=_charts(overview, provincial=viewer.scope == PROVINCE))


def _charts(overview: Overview, provincial: bool) -> list[Chart]:
    """The overview's charts: the province by kabupaten/kota, a kabupaten/kota by its kecamatan."""
    businesses = N_("Businesses")
    if provincial:
        where = _chart("by-kabupaten", N_("Businesses by kabupaten/kota"), N_("Kabupaten/kota"), businesses,
                       [(region(code).short_name, count) for code, count in overview.by_kabupaten])
    else:
        where = _chart("by-kecamatan", N_("Businesses by kecamatan"), N_("Kecamatan"), businesses,
                       [(region(code).name, count) for code, count in overview.by_kecamatan])
    return [
        where,
        _chart("by-class", N_("Businesses by class"), N_("Class"), businesses,
               _labelled(overview.by_class, _label["business_class"])),
        _chart("by-sector", N_("Businesses by sector"), N_("Sector"), businesses,
               _labelled(overview.by_sector, _label["sector"])),
        _chart("by-month", N_("Registrations per month"), N_("Month"), businesses,
               [(_month(month), count) for month, count in overview.by_month], draw=column_chart),
        _chart("levels", N_("Self-assessment levels (latest of each business)"), N_("Level"), businesses,
               _labelled(overview.levels, _label["level"])),
        _chart("dimensions", N_("Average score by dimension (0–100)"), N_("Dimension"), N_("Average score"),
               [(_label["dimension"](dimension), _one_decimal(average))
                for dimension, average in overview.dimension_averages.items()], maximum=100),
        # A programme without a seat in the scope has no share to draw (for a kabupaten officer it is held elsewhere).
        _programme_chart(overview.programmes),
    ]


def _chart(key: str, title: str, label_heading: str, value_heading: str, rows: Rows, *,
           draw: Callable[..., Markup] = bar_chart, maximum: float | None = None) -> Chart:
    """A chart of one number per row, its table the rows' labels and those numbers."""
    title = _text(title)
    return Chart(key, title, draw(rows, title=title, maximum=maximum), (_text(label_heading), _text(value_heading)),
                 [(label, figure(value)) for label, value in rows])


def _programme_chart(programmes: list[ProgrammeFill]) -> Chart:
    """How full each programme's sessions in scope are: seats registered for or attended, of those offered.

    Its table adds the counts behind each share, and the waiting list, which no share shows.
    """
    title = _text(N_("Programme fill rates (seats taken of seats offered)"))
    shares = [(programme, round(100 * (programme.fill_rate or 0))) for programme in programmes]
    return Chart(
        "programmes", title,
        bar_chart([(programme.name, share) for programme, share in shares], title=title, maximum=100, unit="%"),
        tuple(_text(heading) for heading in (N_("Programme"), N_("Sessions"), N_("Seats"), N_("Registered"),
                                             N_("Attended"), N_("Absent"), N_("Waiting list"), N_("Seats taken"))),
        [(programme.name, *(figure(count) for count in (programme.sessions, programme.capacity, programme.registered,
                                                        programme.attended, programme.absent, programme.waitlisted)),
          figure(share, "%"))
         for programme, share in shares])


def _labelled(rows: list[tuple[str, int]], label: Callable[[str], str]) -> list[tuple[str, float | None]]:
    return [(label(key), count) for key, count in rows]


def _month(month: str) -> str:
    """"2026-01" as officers read it: "Jan 2026"."""
    year, number = month.split("-")
    return format_date(date(int(year), int(number), 1), "MMM y", locale=LOCALE)


def _one_decimal(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


routes = [Route("/", show_overview, methods=["GET"])]
