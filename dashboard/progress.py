""""Naik kelas", measured (/admin/progress): per kabupaten/kota, the businesses that moved up or down a class and
an assessment level over a period; the change of score of those trained against those not yet trained, by
starting level; and the path from registration to an improved assessment. The definitions are store/progress.py's,
written on the page too. Each chart has its numbers in a table; the whole page is one XLSX workbook, recorded like
every export.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard.access import officer_page, require_scope
from dashboard.charts import bar_chart, figure
from dashboard.forms import typed_text
from dashboard.pages import render, templates
from dashboard.tables import Table, workbook_download
from dashboard.work import read, today_of
from domain.msgid import N_
from domain.regions import kabupaten_list, region
from flows.i18n import DEFAULT_LANGUAGE, Text
from store.logins import Viewer
from store.progress import Figures
from store.registry import Registry

WHAT = "progress"  # the exports table's name for this download
_text = Text(DEFAULT_LANGUAGE)
_label = templates.env.filters
_KABUPATEN = frozenset(region.code for region in kabupaten_list())
# What each figure means, as store/progress.py counts it: shown on the page above the figures.
DEFINITIONS = (
    N_("A business's class on a day is the class of its latest figures before that day (at registration, after a "
       "correction or a data update); at the start of the period, a business registered within it has its first "
       "figures' class. It moved up when its class at the end is higher than at the start, down when lower: one "
       "that moved up and back within the period moved neither way."),
    N_("Assessment levels are compared the same way, from the self-assessments taken."),
    N_("Trained or not yet: businesses assessed before the period and again within it, by the level they started "
       "at. Trained: the owner attended a session that started within the period, before that later assessment. "
       "Not yet: the owner attended no session before the end of the period. For each group: the mean change of "
       "score, from the latest assessment before the period to the latest within it."),
    N_("The path, up to the end of the period, each step within the one before: registered; assessed at least "
       "once; the owner attended a session; assessed again after the first session attended; improved: that "
       "assessment scores above the latest one before the session."),
)


@dataclass(frozen=True)
class Period:
    """The days chosen: from `first` to `last`, both included, and the kabupaten/kota (None: the whole scope)."""

    first: date
    last: date
    kabupaten: str | None

    @property
    def query(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat(), "kabupaten": self.kabupaten or ""}


def _day(typed: object) -> date | None:
    try:
        return date.fromisoformat(typed_text(typed))
    except ValueError:
        return None


def chosen_period(request: Request, viewer: Viewer) -> Period:
    """The period asked for: up to today (WIB) when no end is given, twelve months up to its end when no start is
    (or a start after the end). A kabupaten/kota outside the viewer's scope is refused (403); one that is no
    kabupaten/kota is ignored."""
    last = _day(request.query_params.get("to")) or today_of(request)
    first = _day(request.query_params.get("from"))
    if first is None or first > last:
        first = _twelve_months_before(last)
    kabupaten = typed_text(request.query_params.get("kabupaten")) or None
    require_scope(viewer, kabupaten)
    return Period(first, last, kabupaten if kabupaten in _KABUPATEN else None)


def _twelve_months_before(last: date) -> date:
    """The first day of the twelve months that end with `last`: 4 December 2025 for 3 December 2026."""
    same_day = last.replace(year=last.year - 1, day=28) if (last.month, last.day) == (2, 29) \
        else last.replace(year=last.year - 1)
    return same_day + timedelta(days=1)


def _scope(viewer: Viewer, period: Period) -> str:
    return period.kabupaten or viewer.scope


def _change(value: float | None) -> str:
    return figure(None if value is None else round(value, 1))


def tables(found: Figures) -> list[Table]:
    """Every table of the page, in the officers' words."""
    t = _text
    place = t(N_("Kabupaten/kota"))
    moved = Table("movements", t(N_("Businesses that moved a class or a level")),
                  (place, *(t(heading) for heading in (N_("Up a class"), N_("Down a class"), N_("Up a level"),
                                                       N_("Down a level")))),
                  [(region(row.kabupaten_code).short_name, *(figure(count) for count in (
                      row.class_up, row.class_down, row.level_up, row.level_down))) for row in found.movements])
    compared = Table("comparison", t(N_("Trained against not yet trained, by starting level")),
                     tuple(t(heading) for heading in (
                         N_("Starting level"), N_("Trained: businesses"), N_("Trained: mean change of score"),
                         N_("Not yet: businesses"), N_("Not yet: mean change of score"))),
                     [(_label["level"](row.level), figure(row.trained), _change(row.trained_change),
                       figure(row.not_yet), _change(row.not_yet_change)) for row in found.comparisons])
    path = Table("path", t(N_("From registration to an improved assessment")),
                 (t(N_("Step")), t(N_("Businesses"))),
                 [(t(step), figure(count)) for step, count in _steps(found)])
    return [moved, compared, path]


def _steps(found: Figures) -> list[tuple[str, int]]:
    path = found.path
    return [(N_("Registered"), path.registered), (N_("Assessed"), path.assessed), (N_("Trained"), path.trained),
            (N_("Assessed again after training"), path.assessed_again), (N_("Improved"), path.improved)]


def charts(found: Figures, shown: list[Table]) -> dict[str, list[Markup]]:
    """The charts above each table, drawing the table's numbers: where each kabupaten/kota moved up (for more
    than one), the mean change of each group, the path's steps."""
    t = _text
    drawn: dict[str, list[Markup]] = {}
    if len(found.movements) > 1:
        places = [region(row.kabupaten_code).short_name for row in found.movements]
        drawn["movements"] = [
            bar_chart(list(zip(places, (row.class_up for row in found.movements), strict=True)),
                      title=t(N_("Businesses that moved up a class"))),
            bar_chart(list(zip(places, (row.level_up for row in found.movements), strict=True)),
                      title=t(N_("Businesses that moved up a level")))]
    trained, not_yet = t(N_("trained")), t(N_("not yet"))
    drawn["comparison"] = [bar_chart(
        [row for comparison in found.comparisons for row in (
            (f"{_label['level'](comparison.level)} · {trained}", _rounded(comparison.trained_change)),
            (f"{_label['level'](comparison.level)} · {not_yet}", _rounded(comparison.not_yet_change)))],
        title=shown[1].title)]
    drawn["path"] = [bar_chart([(t(step), count) for step, count in _steps(found)], title=shown[2].title)]
    return drawn


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _figures(viewer: Viewer, period: Period):  # noqa: ANN202 - the unit of work
    def work(registry: Registry) -> Figures:
        return registry.progress.figures(_scope(viewer, period), period.first, period.last + timedelta(days=1))
    return work


@officer_page
async def show_progress(request: Request, viewer: Viewer) -> Response:
    """GET /admin/progress: the figures of the period and place chosen, within the viewer's scope."""
    period = chosen_period(request, viewer)
    found = await read(request, _figures(viewer, period))
    shown = tables(found)
    return render(request, "progress.html", viewer, tables=shown, charts=charts(found, shown), period=period,
                  definitions=[_text(definition) for definition in DEFINITIONS])


@officer_page
async def export_progress(request: Request, viewer: Viewer) -> Response:
    """GET /admin/progress.xlsx: every table of the page, a sheet each, recorded as an export."""
    period = chosen_period(request, viewer)
    found = await read(request, _figures(viewer, period))
    return await workbook_download(request, viewer, WHAT, period.query, tables(found),
                                   f"tabe-progress-{period.first.isoformat()}-{period.last.isoformat()}.xlsx")


routes = [
    Route("/progress", show_progress, methods=["GET"]),
    Route("/progress.xlsx", export_progress, methods=["GET"]),
]
