"""The server-side radar chart: well-formed SVG, correct geometry and an accessible table."""

import math
import xml.etree.ElementTree as ET

import pytest

from ladder.frameworks.charts import Shape, radar_svg
from tests.conftest import ROOT

SVG = "{http://www.w3.org/2000/svg}"
DIMS = ["Team Contributor", "Technical Leadership", "People Management"]


def parse(markup: str) -> ET.Element:
    # The output is a fragment; wrapping it checks that it is well-formed XML as a whole.
    return ET.fromstring(f"<root>{markup}</root>").find("figure")


def by_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(tag) if cls in e.get("class", "").split()]


def points(polygon: ET.Element) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in polygon.get("points").split()]


def centre_and_outer_radius(svg: ET.Element) -> tuple[tuple[float, float], float]:
    spoke = by_class(svg, f"{SVG}line", "radar-spoke")[0]
    centre = (float(spoke.get("x1")), float(spoke.get("y1")))
    end = (float(spoke.get("x2")), float(spoke.get("y2")))
    return centre, math.dist(centre, end)


def shape_polygon(svg: ET.Element, style: str) -> ET.Element:
    (polygon,) = by_class(svg, f"{SVG}polygon", f"radar-shape-{style}")
    return polygon


def table_cells(figure: ET.Element) -> dict[str, list[str]]:
    table = figure.find(".//table")
    return {row.find("th").text: [td.text for td in row.findall("td")] for row in table.iter("tr")}


@pytest.mark.parametrize("n", [3, 5, 8])
def test_one_spoke_and_one_axis_label_per_dimension(n):
    dims = [f"Dimension number {i}" for i in range(n)]
    svg = parse(radar_svg(dims, [Shape("Self", {d: 3 for d in dims})])).find(f"{SVG}svg")
    assert len(by_class(svg, f"{SVG}line", "radar-spoke")) == n
    labels = by_class(svg, f"{SVG}text", "radar-axis-label")
    assert [" ".join(line.text for line in t) for t in labels] == dims
    # Long labels are wrapped onto two lines rather than running out of the viewBox.
    assert all(len(t.findall(f"{SVG}tspan")) == 2 for t in labels)


def test_first_axis_points_straight_up():
    svg = parse(radar_svg(DIMS, [])).find(f"{SVG}svg")
    (cx, cy), _ = centre_and_outer_radius(svg)
    spoke = by_class(svg, f"{SVG}line", "radar-spoke")[0]
    assert float(spoke.get("x2")) == cx and float(spoke.get("y2")) < cy


@pytest.mark.parametrize(("low", "high"), [(1, 5), (0, 3), (1, 10)])
def test_one_ring_per_scale_step(low, high):
    svg = parse(radar_svg(DIMS, [], scale_min=low, scale_max=high)).find(f"{SVG}svg")
    rings = by_class(svg, f"{SVG}polygon", "radar-ring")
    assert len(rings) == high - low + 1
    ticks = [t.text for t in by_class(svg, f"{SVG}text", "radar-tick")]
    assert ticks == [str(step) for step in range(low, high + 1)]


def test_vertices_sit_at_their_rating():
    shape = Shape("TL2", {"Team Contributor": 5, "Technical Leadership": 2, "People Management": 4})
    svg = parse(radar_svg(DIMS, [shape])).find(f"{SVG}svg")
    centre, outer = centre_and_outer_radius(svg)
    top, tech, people = (math.dist(centre, p) for p in points(shape_polygon(svg, "a")))
    assert top == pytest.approx(outer, abs=0.1)
    assert top > people > tech > 0
    # The outer ring is the maximum rating, and a vertex marker sits on each vertex.
    assert math.dist(centre, points(by_class(svg, f"{SVG}polygon", "radar-ring")[-1])[0]) == (
        pytest.approx(outer, abs=0.1)
    )
    markers = by_class(svg, f"{SVG}circle", "radar-marker-a")
    assert [(float(c.get("cx")), float(c.get("cy"))) for c in markers] == points(
        shape_polygon(svg, "a")
    )


def test_minimum_and_missing_ratings_stay_visible_off_centre():
    shapes = [Shape("Low", dict.fromkeys(DIMS, 1)), Shape("Unrated", {}, style="b")]
    svg = parse(radar_svg(DIMS, shapes)).find(f"{SVG}svg")
    centre, outer = centre_and_outer_radius(svg)
    for style in "ab":
        assert all(0 < math.dist(centre, p) < outer / 4 for p in points(shape_polygon(svg, style)))
    assert points(shape_polygon(svg, "a")) == points(shape_polygon(svg, "b"))
    assert len(by_class(svg, f"{SVG}circle", "radar-missing")) == 3


def test_hidden_table_holds_the_numbers():
    shapes = [
        Shape("TL1", {"Team Contributor": 4, "Technical Leadership": 4, "People Management": 3}),
        Shape("Self rating", {"Team Contributor": 3.5, "Technical Leadership": 5}, style="b"),
    ]
    figure = parse(radar_svg(DIMS, shapes, title="TL1 against self"))
    assert figure.find("div").get("class") == "visually-hidden"
    table = figure.find("div/table")
    assert table.find("caption").text.startswith("TL1 against self")
    assert table_cells(figure) == {
        "Dimension": [],
        "Team Contributor": ["4", "3.5"],
        "Technical Leadership": ["4", "5"],
        "People Management": ["3", "—"],
    }
    assert [th.text for th in table.find("thead").iter("th")] == ["Dimension", "TL1", "Self rating"]


def test_svg_is_labelled_by_its_title():
    figure = parse(radar_svg(DIMS, [Shape("TL1", {})], title="Ladder shape"))
    svg = figure.find(f"{SVG}svg")
    assert svg.get("role") == "img" and svg.get("viewBox")
    title = svg.find(f"{SVG}title")
    assert title.text == "Ladder shape" and svg.get("aria-labelledby") == title.get("id")
    other = parse(radar_svg(DIMS, [Shape("TL2", {})], title="Ladder shape")).find(f"{SVG}svg")
    assert other.get("aria-labelledby") != svg.get("aria-labelledby")


def test_text_is_escaped():
    nasty = '<b>&"x"</b>'
    dims = [nasty, "Two", "Three"]
    markup = radar_svg(dims, [Shape(nasty, {nasty: 2})], title=nasty)
    assert "<b>" not in markup
    figure = parse(markup)
    svg = figure.find(f"{SVG}svg")
    assert svg.find(f"{SVG}title").text == nasty
    assert figure.find("div/table/caption").text.startswith(nasty)
    assert "".join(figure.find("ul/li").itertext()) == nasty
    assert "".join(by_class(svg, f"{SVG}text", "radar-axis-label")[0].itertext()) == nasty
    assert table_cells(figure)[nasty] == ["2"]


@pytest.mark.parametrize("dims", [[], ["One"], ["One", "Two"]])
def test_fewer_than_three_dimensions_is_an_error(dims):
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        radar_svg(dims, [])


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_values_that_are_not_numbers_are_an_error(value):
    with pytest.raises(ValueError, match="not a number"):
        radar_svg(DIMS, [Shape("Self", {"People Management": value})])


@pytest.mark.parametrize(
    ("value", "ring"), [(0, "inner"), (-3, "inner"), (6, "outer"), (5.5, "outer"), (32767, "outer")]
)
def test_a_rating_outside_the_scale_is_drawn_on_the_edge_and_said_in_words(value, ring):
    # A rating recorded under a ladder version with a wider scale than today's.
    figure = parse(radar_svg(DIMS, [Shape("Manager rating", {"People Management": value})]))
    svg = figure.find(f"{SVG}svg")
    centre, outer = centre_and_outer_radius(svg)
    drawn = math.dist(centre, points(shape_polygon(svg, "a"))[2])
    inner = min(
        math.dist(centre, p) for p in points(by_class(svg, f"{SVG}polygon", "radar-ring")[0])
    )
    assert drawn == pytest.approx(outer if ring == "outer" else inner, abs=0.2)
    (marker,) = by_class(svg, f"{SVG}circle", "radar-off-scale")
    note = "".join(figure.find("p").itertext())
    assert f"People Management {value:g}" in note and f"{ring} ring" in note and "1–5" in note
    assert table_cells(figure)["People Management"] == [f"{value:g} (off the scale)"]


def test_other_bad_input_is_an_error():
    with pytest.raises(ValueError, match="style"):
        radar_svg(DIMS, [Shape("Self", {}, style="e")])
    with pytest.raises(ValueError, match="unique"):
        radar_svg([*DIMS, DIMS[0]], [])
    with pytest.raises(ValueError, match="scale_max"):
        radar_svg(DIMS, [], scale_min=3, scale_max=3)


def test_output_is_deterministic():
    shapes = [Shape("TL1", {"Team Contributor": 4}), Shape("TL2", {"People Management": 2}, "c")]
    assert radar_svg(DIMS, shapes, title="x") == radar_svg(list(DIMS), list(shapes), title="x")


def test_compact_has_no_legend_or_axis_labels_but_keeps_the_table():
    figure = parse(radar_svg(DIMS, [Shape("TL1", {"Team Contributor": 4})], compact=True, size=120))
    svg = figure.find(f"{SVG}svg")
    assert figure.find("ul") is None
    assert not list(svg.iter(f"{SVG}text"))
    assert svg.get("width") == "120"
    assert svg.get("aria-labelledby") == svg.find(f"{SVG}title").get("id")
    assert table_cells(figure)["Team Contributor"] == ["4"]


def test_full_chart_has_a_legend_in_shape_order():
    shapes = [Shape(f"Shape {s}", {}, style=s) for s in "abcd"]
    legend = parse(radar_svg(DIMS, shapes)).find("ul")
    assert legend.get("class") == "radar-legend"
    assert ["".join(li.itertext()) for li in legend] == [s.label for s in shapes]
    assert [li.find("span").get("class").split()[-1] for li in legend] == [
        f"radar-swatch-{s}" for s in "abcd"
    ]


def test_the_stylesheet_covers_every_class_the_markup_uses():
    css = (ROOT / "src/ladder/static/ladder/site.css").read_text()
    for cls in ["radar-ring", "radar-spoke", "radar-axis-label", "radar-legend", "radar-swatch"]:
        assert f".{cls}" in css
    for style in "abcd":
        assert f".radar-shape-{style}" in css and f".radar-marker-{style}" in css
