"""The inventory of UMKM problems (/admin/problems): one page an officer can take to a coordination meeting.

Owners' questions to the Dinas by topic, kabupaten/kota and month; how fast they were answered and how the
answers were rated; what the bot could not answer, grouped by similar questions (the knowledge base's gaps);
and beside them the self-assessment's weakest dimensions per kabupaten/kota. Each chart has its numbers in a
table; the whole page is one XLSX workbook, recorded like every export.
"""

from dataclasses import dataclass
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard.access import officer_page
from dashboard.charts import bar_chart, column_chart, figure
from dashboard.forms import typed_text
from dashboard.pages import render, templates
from dashboard.tables import Table, workbook_download
from dashboard.work import read
from domain.msgid import N_
from domain.regions import region
from domain.topics import TOPICS
from flows.i18n import DEFAULT_LANGUAGE, Text
from flows.knowledge import terms
from store.logins import Viewer
from store.officers import PROVINCE
from store.problems import Inventory, Unanswered
from store.registry import Registry

WHAT = "problems"  # the exports table's name for this download
PERIODS = (3, 6, 12, 24)  # months the page can look back
DEFAULT_PERIOD = 12
SAME_QUESTION = 0.5  # a text joins a group when it shares this share of its terms with the group's first
GROUPS_SHOWN = 30
EXAMPLES = 3
WEAKEST = 2  # dimensions named per kabupaten/kota
_text = Text(DEFAULT_LANGUAGE)
_label = templates.env.filters


@dataclass(frozen=True)
class Gap:
    """Questions the bot could not answer that ask much the same: how many, where, and a few of them."""

    count: int
    examples: list[str]
    places: list[str]


def group_gaps(unanswered: list[Unanswered]) -> list[Gap]:
    """Similar questions together: a text joins the first group whose first text shares at least half of its
    terms; the biggest group first."""
    groups: list[tuple[frozenset[str], list[Unanswered]]] = []
    for asked in unanswered:
        found = frozenset(terms(asked.text))
        for first, members in groups:
            if found and len(found & first) >= SAME_QUESTION * len(found):
                members.append(asked)
                break
        else:
            groups.append((found, [asked]))
    groups.sort(key=lambda group: -len(group[1]))
    return [Gap(len(members), [member.text for member in members[:EXAMPLES]],
                sorted({region(member.kabupaten_code).short_name for member in members if member.kabupaten_code}))
            for _first, members in groups[:GROUPS_SHOWN]]


def _period(request: Request) -> int:
    typed = typed_text(request.query_params.get("months"))
    return int(typed) if typed.isdigit() and int(typed) in PERIODS else DEFAULT_PERIOD


def _hours(value: float | None) -> str:
    return figure(round(value, 1)) if value is not None else "–"


def tables(inventory: Inventory, provincial: bool) -> list[Table]:
    """Every table of the page, in the officers' words: what the charts draw, and the rest."""
    t = _text
    topic = Table("by-topic", t(N_("Questions by topic")), (t(N_("Topic")), t(N_("Questions"))),
                  [(t(TOPICS[key]), figure(count)) for key, count in inventory.by_topic])
    month = Table("by-month", t(N_("Questions per month")), (t(N_("Month")), t(N_("Questions"))),
                  [(key, figure(count)) for key, count in inventory.by_month])
    place = Table("by-kabupaten", t(N_("Questions by kabupaten/kota")), (t(N_("Kabupaten/kota")), t(N_("Questions"))),
                  [(region(code).short_name, figure(count)) for code, count in inventory.by_kabupaten])
    replies = Table("replies", t(N_("Replies and satisfaction")),
                    tuple(t(heading) for heading in (N_("Kabupaten/kota"), N_("Questions"), N_("Answered"),
                                                     N_("Median hours to the first reply"), N_("Rated"),
                                                     N_("Average rating (1–5)"))),
                    [(region(row.kabupaten_code).short_name, figure(row.asked), figure(row.answered),
                      _hours(row.median_hours), figure(row.rated), _hours(row.average_rating))
                     for row in inventory.replies])
    weakest = Table("weakest", t(N_("Weakest self-assessment dimensions")),
                    (t(N_("Kabupaten/kota")), t(N_("Weakest dimensions (average score 0–100)"))),
                    [(region(code).short_name, ", ".join(
                        f"{_label['dimension'](dimension)} {figure(round(average))}"
                        for dimension, average in sorted(averages.items(), key=lambda item: item[1])[:WEAKEST]))
                     for code, averages in inventory.dimensions.items()])
    gaps = Table("gaps", t(N_("What the bot could not answer")),
                 (t(N_("Questions")), t(N_("For example")), t(N_("Kabupaten/kota"))),
                 [(figure(gap.count), " / ".join(gap.examples), ", ".join(gap.places))
                  for gap in group_gaps(inventory.unanswered)])
    return [topic, *([place] if provincial else []), month, replies, gaps, weakest]


def _inventory(request: Request, viewer: Viewer, months: int):  # noqa: ANN202 - the unit of work
    def work(registry: Registry) -> Inventory:
        return registry.problems.inventory(viewer.scope, registry.now - timedelta(days=round(30.44 * months)))
    return work


@officer_page
async def show_problems(request: Request, viewer: Viewer) -> Response:
    """GET /admin/problems: the inventory of the viewer's scope over the period chosen."""
    months = _period(request)
    inventory = await read(request, _inventory(request, viewer, months))
    shown = tables(inventory, provincial=viewer.scope == PROVINCE)
    charts = {
        "by-topic": bar_chart([(row[0], count) for row, (_key, count) in zip(shown[0].rows, inventory.by_topic,
                                                                               strict=True)], title=shown[0].title),
        "by-month": column_chart([(key, count) for key, count in inventory.by_month],
                                 title=_text(N_("Questions per month"))),
        "by-kabupaten": bar_chart([(region(code).short_name, count) for code, count in inventory.by_kabupaten],
                                  title=_text(N_("Questions by kabupaten/kota"))),
    }
    return render(request, "problems.html", viewer, tables=shown, charts=charts, months=months, periods=PERIODS)


@officer_page
async def export_problems(request: Request, viewer: Viewer) -> Response:
    """GET /admin/problems.xlsx: every table of the page, a sheet each, recorded as an export."""
    months = _period(request)
    inventory = await read(request, _inventory(request, viewer, months))
    return await workbook_download(request, viewer, WHAT, {"months": months},
                                   tables(inventory, provincial=viewer.scope == PROVINCE),
                                   f"tabe-problems-{months}m.xlsx")


routes = [
    Route("/problems", show_problems, methods=["GET"]),
    Route("/problems.xlsx", export_problems, methods=["GET"]),
]
