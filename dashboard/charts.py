"""Charts drawn on the server as SVG: bars for categories, columns for months, each number written beside its bar.

Pure functions from rows of (label, value) to markup, so a page needs no script. The viewBox lets a chart
shrink to a phone's width; the page's stylesheet colours it. Labels are escaped: programme names are typed.
"""

from collections.abc import Sequence
from math import ceil

from babel.numbers import format_decimal
from markupsafe import Markup, escape

LOCALE = "id_ID"  # the dashboard's language (flows.i18n.DEFAULT_LANGUAGE) as Babel names it
WIDTH = 400  # of the viewBox: at a phone's width its 12-unit letters are still about 10 pixels high
CHARACTER = 6.5  # the average width of a letter or digit at the charts' font size, in viewBox units

_ROW = 36  # a bar's label line, the bar, and the air under it
_BAR = 12
_NUMBER_ROOM = 72  # right of a full bar, for its number
_LABEL_LETTERS = int(WIDTH / CHARACTER) - 2  # what fits on a label line; the table under the chart has the rest
_COLUMNS_TOP = 18  # above the tallest column, for its number
_COLUMNS_HEIGHT = 160
_COLUMNS_SIDE = 28  # left and right of the columns, so the first and last labels fit
_COLUMN_LABEL = 56  # the width of a label such as "Agu 2026"

Rows = Sequence[tuple[str, float | None]]


def figure(value: float | None, unit: str = "") -> str:
    """A number as the charts (and the tables under them) write it: "1.234", "72,5%"; "–" for none."""
    return "–" if value is None else format_decimal(value, locale=LOCALE) + unit


def bar_chart(rows: Rows, *, title: str, maximum: float | None = None, unit: str = "") -> Markup:
    """Horizontal bars, each under its label with its number at its end; a full bar is the largest value
    (or `maximum`, when larger: 100 for scores and percentages)."""
    scale = _scale(rows, maximum)
    length = WIDTH - _NUMBER_ROOM
    drawn = []
    for index, (label, value) in enumerate(rows):
        top = index * _ROW
        width = length * max(value or 0, 0) / scale  # a fall (a change of score) has no bar, only its number
        number = figure(value, unit)
        drawn.append(
            f'<g><title>{escape(label)}: {escape(number)}</title>'
            f'<text x="0" y="{top + 13}">{escape(_shortened(label))}</text>'
            f'<rect class="bar" x="0" y="{top + 18}" width="{width:.1f}" height="{_BAR}"/>'
            f'<text class="value" x="{width + 5:.1f}" y="{top + 28}">{escape(number)}</text></g>')
    return _svg(title, max(len(rows), 1) * _ROW, drawn)


def column_chart(rows: Rows, *, title: str, maximum: float | None = None, unit: str = "") -> Markup:
    """Columns left to right (months, oldest first), labelled underneath as far as labels fit; each number
    stands on its column where there is room for it, else the largest is written on a line across."""
    scale = _scale(rows, maximum)
    slot = (WIDTH - 2 * _COLUMNS_SIDE) / max(len(rows), 1)
    every = ceil(_COLUMN_LABEL / slot)
    numbers_fit = all(len(figure(value, unit)) * CHARACTER <= slot for _, value in rows)
    base = _COLUMNS_TOP + _COLUMNS_HEIGHT
    drawn = []
    if not numbers_fit:
        drawn.append(f'<line class="axis" x1="{_COLUMNS_SIDE}" x2="{WIDTH - _COLUMNS_SIDE}" '
                     f'y1="{_COLUMNS_TOP}" y2="{_COLUMNS_TOP}"/>'
                     f'<text class="value" x="0" y="{_COLUMNS_TOP - 5}">{escape(figure(scale, unit))}</text>')
    for index, (label, value) in enumerate(rows):
        left = _COLUMNS_SIDE + index * slot
        middle = left + slot / 2
        height = _COLUMNS_HEIGHT * (value or 0) / scale
        number = figure(value, unit)
        drawn.append(f'<g><title>{escape(label)}: {escape(number)}</title>'
                     f'<rect class="bar" x="{left + slot * 0.15:.1f}" y="{base - height:.1f}" '
                     f'width="{slot * 0.7:.1f}" height="{height:.1f}"/>')
        if numbers_fit:
            drawn.append(f'<text class="value" x="{middle:.1f}" y="{base - height - 5:.1f}" '
                         f'text-anchor="middle">{escape(number)}</text>')
        if index % every == 0:
            drawn.append(f'<text x="{middle:.1f}" y="{base + 16}" text-anchor="middle">{escape(label)}</text>')
        drawn.append("</g>")
    drawn.append(f'<line class="axis" x1="{_COLUMNS_SIDE}" x2="{WIDTH - _COLUMNS_SIDE}" y1="{base}" y2="{base}"/>')
    return _svg(title, base + 22, drawn)


def _scale(rows: Rows, maximum: float | None) -> float:
    """The value of a full bar: the largest drawn or `maximum`, whichever is larger; 1 when all are zero."""
    return max([maximum or 0, *(value or 0 for _, value in rows)]) or 1


def _shortened(label: str) -> str:
    return label if len(label) <= _LABEL_LETTERS else label[:_LABEL_LETTERS - 1] + "…"


def _svg(title: str, height: int, drawn: list[str]) -> Markup:
    """The chart as an image for screen readers too: its title is its name, the table under it its numbers."""
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="svg-chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-size="12">'
        f'<title>{escape(title)}</title>{"".join(drawn)}</svg>')
