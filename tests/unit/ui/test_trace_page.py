"""The trace page: the observation tree with its timeline drawn to scale, the details pane of the
selected observation, orphans marked at the top, and the badges, through the whole Starlette stack
over a ``SqlStore`` seeded as ``conftest.py`` says, plus trace 70: a root (0-1 s), a child of a span
that never arrived (0.2-0.2004 s, 400 µs) and a warning child of the root."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from otel_bridge.ui.links import trace_url
from tests.api.client import served_api
from tests.support.spans import record, span_id, trace_id, translate
from tests.unit.ui.conftest import TRACE_1, TRACE_2, ServedUi, seed, ui_over
from tests.unit.ui.dom import Page

ORPHANED = trace_id(70)


@pytest.fixture(scope="module")
def trace_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedUi]:
    """The seeded UI plus trace 70."""
    with served_api(tmp_path_factory.mktemp("ui")) as api:
        ui = ui_over(api)
        seed(ui)
        spans = translate(
            record(70, 70, name="root", start=0, end=1, session__id="orphans"),
            record(70, 71, 99, name="lost child", start=0.2, end=0.2004),
            record(70, 72, 70, name="careful", start=0.5, end=0.6, langfuse__observation__level="WARNING"),
        )
        ui.store.write_batch(ui.project_id, spans)
        yield ui


def bar(page: Page, node_id: str) -> tuple[float, float]:
    """The x and width of an observation's timeline bar."""
    node = page.one("li", attr="data-observation-id", value=node_id)
    rect = page.one("rect", within=node)
    return float(rect.attrs["x"]), float(rect.attrs["width"])


class TestTimeline:
    def test_bars_are_to_scale(self, trace_ui: ServedUi) -> None:
        """Trace 1 spans 3 s: the generation (0.5-2 s) and the tool (2-2.5 s) sit where they ran."""
        page = trace_ui.page(trace_url(TRACE_1))
        assert bar(page, span_id(1)) == (0.0, 1000.0)
        assert bar(page, span_id(2)) == pytest.approx((166.67, 500.0), abs=0.01)
        assert bar(page, span_id(3)) == pytest.approx((666.67, 166.67), abs=0.01)
        axis = [t.text for t in page.select("span", cls="tick")]
        assert axis == ["0", "750 ms", "1.50 s", "2.25 s", "3.00 s"]
        tool = page.one("li", attr="data-observation-id", value=span_id(3))
        assert page.one("title", within=tool).text == "+2.00 s · 500 ms"

    def test_short_observations_read_in_microseconds_and_still_show(self, trace_ui: ServedUi) -> None:
        """A 400 µs span reads "400 µs" (not "0 ms") and its bar keeps the minimum width."""
        page = trace_ui.page(trace_url(ORPHANED))
        lost = page.one("li", attr="data-observation-id", value=span_id(71))
        assert page.one("span", cls="dur", within=lost).text == "400 µs"
        assert bar(page, span_id(71)) == (200.0, 2.0)


class TestTree:
    def test_orphans_first_and_marked(self, trace_ui: ServedUi) -> None:
        """The observation whose parent never arrived comes first, marked; a note counts them."""
        page = trace_ui.page(trace_url(ORPHANED))
        nodes = page.select("li", cls="node")
        assert [n.attrs["data-observation-id"] for n in nodes] == [span_id(71), span_id(70), span_id(72)]
        assert "orphan" in nodes[0].classes and page.select("span", cls="orphan-badge", within=nodes[0])
        assert not any("orphan" in n.classes for n in nodes[1:])
        assert "1 observation whose parent never arrived" in page.select("p", cls="note")[0].text

    def test_badges_only_where_the_level_says(self, trace_ui: ServedUi) -> None:
        """ERROR and WARNING rows carry their badge; normal rows none (no DEFAULT anywhere)."""
        page = trace_ui.page(trace_url(TRACE_1))
        tree = page.one("ol", cls="tree")
        assert [b.text for b in page.select("span", cls="level", within=tree)] == ["ERROR"]
        assert "DEFAULT" not in tree.text
        tool = page.one("li", attr="data-observation-id", value=span_id(3))
        assert "level-error" in tool.classes
        careful = trace_ui.page(trace_url(ORPHANED)).select("span", cls="level-warning")
        assert [b.text for b in careful] == ["WARNING"]

    def test_rows_link_to_their_details(self, trace_ui: ServedUi) -> None:
        """Each row links to the page with its details open; the open one is marked current."""
        page = trace_ui.page(trace_url(TRACE_2, span_id(6)))
        links = [a.attrs["href"] for a in page.select("a", cls="line")]
        assert links == [trace_url(TRACE_2, span_id(n)) for n in (4, 7, 5, 6)]
        current = page.one("a", attr="aria-current")
        assert current.attrs["href"] == trace_url(TRACE_2, span_id(6))


class TestDetails:
    def test_the_first_row_by_default(self, trace_ui: ServedUi) -> None:
        """Without ``observation`` the pane shows the first row's observation."""
        page = trace_ui.page(trace_url(TRACE_1))
        assert page.one("aside", cls="details").attrs["data-observation-id"] == span_id(1)

    def test_a_generation(self, trace_ui: ServedUi) -> None:
        """Type, model, usage, cost, level, input and output (chat view and JSON), metadata."""
        page = trace_ui.page(trace_url(TRACE_2, span_id(4)))
        pane = page.one("aside", cls="details")
        facts = {
            page.one("dt", within=d).text: page.one("dd", within=d).text
            for d in page.select("div", within=page.one("dl", within=pane))
        }
        assert facts["Model"] == "gpt-4o" and facts["Level"] == "default"
        assert facts["Duration"] == "4.00 s"
        output = page.one("section", cls="output", within=pane)
        assert page.one("code", cls="call", within=output).text == '→ weather({"city":"Paris"})'
        raw = page.one("details", cls="as-json", within=output)
        assert '"tool_calls"' in raw.text
        chat = trace_ui.page(trace_url(TRACE_1, span_id(2)))
        pane = chat.one("aside", cls="details")
        facts = {
            chat.one("dt", within=d).text: chat.one("dd", within=d).text
            for d in chat.select("div", within=chat.one("dl", within=pane))
        }
        assert facts["Usage"] == "12 in → 7 out (19)"
        assert facts["Cost"].endswith("= $0.002")
        assert chat.one("span", cls="type", within=pane).text == "GENERATION"
        assert chat.select("details", cls="metadata", within=pane)

    def test_an_error_shows_its_status(self, trace_ui: ServedUi) -> None:
        """The failing tool's pane has its ERROR level and status message."""
        page = trace_ui.page(trace_url(TRACE_1, span_id(3)))
        pane = page.one("aside", cls="details")
        assert page.one("span", cls="level-error", within=pane).text == "ERROR"
        assert page.one("p", cls="status-message", within=pane).text == "Status: boom"

    def test_the_orphan_says_so(self, trace_ui: ServedUi) -> None:
        """An orphan's pane names the parent that never arrived."""
        page = trace_ui.page(trace_url(ORPHANED, span_id(71)))
        pane = page.one("aside", cls="details")
        assert span_id(99) in page.one("p", cls="note", within=pane).text

    def test_unknown_observation_is_404(self, trace_ui: ServedUi) -> None:
        """An observation id the trace does not hold is a 404 page naming it."""
        response = trace_ui.get(trace_url(TRACE_1, span_id(70)))
        assert response.status == 404
        assert (
            f"Observation {span_id(70)} not found"
            in Page(response.body.decode()).one("p", cls="message").text
        )
