"""The dashboard's SVG charts (dashboard/charts.py): well-formed, escaped, scaled, and every number written."""

from collections.abc import Callable
from xml.etree import ElementTree

import pytest
from markupsafe import Markup

from dashboard.charts import Rows, bar_chart, column_chart, figure

SVG = "{http://www.w3.org/2000/svg}"
Chart = Callable[..., Markup]
CHARTS = [bar_chart, column_chart]


def drawn(chart: Chart, rows: Rows, **options: object) -> ElementTree.Element:
    """The chart parsed as XML: it fails on anything unescaped."""
    return ElementTree.fromstring(str(chart(rows, title="Usaha per sektor", **options)))


def bars(chart: Chart, svg: ElementTree.Element) -> list[float]:
    """Each bar's length: a bar's width, a column's height."""
    length = "width" if chart is bar_chart else "height"
    return [float(rect.get(length, "")) for rect in svg.iter(f"{SVG}rect")]


def texts(svg: ElementTree.Element) -> list[str]:
    return [element.text or "" for element in svg.iter(f"{SVG}text")]


@pytest.mark.parametrize("chart", CHARTS)
def test_a_chart_is_a_named_image_that_scales_to_its_width(chart: Chart) -> None:
    svg = drawn(chart, [("Kuliner", 3), ("Jasa", 1)])
    assert svg.get("role") == "img" and svg.get("aria-label") == "Usaha per sektor"
    assert svg.findtext(f"{SVG}title") == "Usaha per sektor"
    assert svg.get("viewBox", "").startswith("0 0 400 ")


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("label", ['<script>alert(1)</script>', 'Pelatihan "Kemasan" & Label', "</svg><b>x</b>"])
def test_labels_and_titles_are_text_however_they_were_typed(chart: Chart, label: str) -> None:
    markup = str(chart([(label, 5)], title=label))
    assert "<script" not in markup and "<b>" not in markup
    svg = ElementTree.fromstring(markup)
    assert svg.get("aria-label") == label
    assert label in texts(svg)
    assert f"{label}: 5" in [title.text for title in svg.iter(f"{SVG}title")]


@pytest.mark.parametrize(("chart", "rows", "options", "lengths"), [
    # the largest value is a full bar (328 = 400 less the room for its number; columns 160 high)
    (bar_chart, [("a", 50), ("b", 100)], {}, [164, 328]),
    (column_chart, [("a", 50), ("b", 100)], {}, [80, 160]),
    # a maximum larger than every value is the full bar; a smaller one is ignored
    (bar_chart, [("a", 50), ("b", 100)], {"maximum": 200}, [82, 164]),
    (bar_chart, [("a", 50), ("b", 100)], {"maximum": 10}, [164, 328]),
    (column_chart, [("a", 25)], {"maximum": 100}, [40]),
    # one row fills the chart
    (bar_chart, [("a", 7)], {}, [328]),
    (column_chart, [("a", 7)], {}, [160]),
    # all zeros, and no value at all, draw empty bars rather than dividing by zero
    (bar_chart, [("a", 0), ("b", 0)], {}, [0, 0]),
    (column_chart, [("a", 0), ("b", 0)], {}, [0, 0]),
    (bar_chart, [("a", None), ("b", 0)], {"maximum": 100}, [0, 0]),
    (bar_chart, [], {}, []),
    (column_chart, [], {}, []),
])
def test_bars_are_scaled_to_the_largest_value(chart: Chart, rows: Rows, options: dict[str, float],
                                              lengths: list[float]) -> None:
    assert bars(chart, drawn(chart, rows, **options)) == pytest.approx(lengths)


@pytest.mark.parametrize(("chart", "rows", "unit", "numbers"), [
    (bar_chart, [("Kuliner", 1234), ("Jasa", 0)], "", ["1.234", "0"]),
    (bar_chart, [("Legalitas", 72.5), ("Digital", None)], "", ["72,5", "–"]),
    (bar_chart, [("Pelatihan QRIS", 45)], "%", ["45%"]),
    (column_chart, [("Jan 2026", 12), ("Feb 2026", 3), ("Mar 2026", 0)], "", ["12", "3", "0"]),
])
def test_every_number_is_written_as_the_table_writes_it(chart: Chart, rows: Rows, unit: str,
                                                        numbers: list[str]) -> None:
    written = texts(drawn(chart, rows, unit=unit))
    assert [figure(value, unit) for _, value in rows] == numbers
    for (label, _), number in zip(rows, numbers, strict=True):
        assert label in written and number in written


def test_a_long_label_is_shortened_on_the_chart_and_whole_in_its_tooltip() -> None:
    label = "Pelatihan " + "pemasaran digital dan pengemasan produk " * 3
    svg = drawn(bar_chart, [(label, 1)])
    (written,) = [text for text in texts(svg) if text.startswith("Pelatihan")]
    assert written.endswith("…") and len(written) * 6.5 <= 400
    assert f"{label}: 1" in [title.text for title in svg.iter(f"{SVG}title")]


def test_many_months_label_every_few_columns_and_keep_each_number_in_a_tooltip() -> None:
    months = [(f"M{number:02d} 2026", 1000 + number) for number in range(36)]
    svg = drawn(column_chart, months)
    written = texts(svg)
    labels = [text for text in written if text.startswith("M")]
    assert labels[0] == "M00 2026" and 3 <= len(labels) < 36
    assert "1.035" in written  # the largest, on the line across the top, as the numbers do not fit on columns
    assert len([title for title in svg.iter(f"{SVG}title")]) == 1 + 36
