"""Scores in the UI: a column of the sessions list, and chips on the session and trace pages (the
session's own, each trace's, each observation's), posted through the real API."""

from __future__ import annotations

from datetime import datetime, timezone

from otel_bridge.model import Score, ScoreDataType
from otel_bridge.ui.scores import score_chips
from tests.unit.ui.conftest import TRACE_1, TRACE_2, ServedUi, seed

GENERATION = f"{2:016x}"


def post(ui: ServedUi, *scores: dict[str, object]) -> None:
    response = ui.client.post("/api/public/scores", list(scores))
    assert response.status == 202, response.body


def scored(empty_ui: ServedUi) -> ServedUi:
    seed(empty_ui)
    post(
        empty_ui,
        {"name": "helpful", "value": 1, "dataType": "BOOLEAN", "sessionId": "chat-1"},
        {"name": "helpful", "value": 0, "dataType": "BOOLEAN", "sessionId": "chat-1"},
        {"name": "tone", "value": "warm", "sessionId": "chat-1"},
        {"name": "accuracy", "value": 0.5, "traceId": TRACE_1},
        {"name": "accuracy", "value": 1.0, "traceId": TRACE_1},
        {"name": "relevance", "value": 0.25, "traceId": TRACE_1, "observationId": GENERATION},
    )
    return empty_ui


def chips(element_text: str) -> str:
    return " ".join(element_text.split())


class TestPages:
    def test_sessions_list_has_a_scores_column(self, empty_ui: ServedUi) -> None:
        ui = scored(empty_ui)
        page = ui.page("/sessions")
        header = [cell.text for cell in page.select("th")]
        assert header[-1] == "Scores"
        row = page.one("tr", attr="data-session-id", value="chat-1")
        assert chips(page.select("td", within=row)[-1].text) == "helpful 1/2 true tone warm"
        other = page.one("tr", attr="data-session-id", value="chat-2")
        assert page.select("td", within=other)[-1].text.strip() == ""

    def test_session_page_shows_session_and_trace_scores(self, empty_ui: ServedUi) -> None:
        ui = scored(empty_ui)
        page = ui.page("/sessions/chat-1")
        facts = page.one("span", cls="scores", within=page.one("li", cls="scores-chip"))
        assert chips(facts.text) == "helpful 1/2 true tone warm"
        turn = page.one("article", attr="data-trace-id", value=TRACE_1)
        assert chips(page.one("span", cls="scores", within=turn).text) == "accuracy 0.75 ×2"
        second = page.one("article", attr="data-trace-id", value=TRACE_2)
        assert page.one("span", cls="scores", within=second).text.strip() == ""

    def test_trace_page_shows_trace_and_observation_scores(self, empty_ui: ServedUi) -> None:
        ui = scored(empty_ui)
        page = ui.page(f"/traces/{TRACE_1}")
        chip = page.one("li", cls="scores-chip")
        assert chips(page.one("span", cls="scores", within=chip).text) == "accuracy 0.75 ×2"
        node = page.one("li", attr="data-observation-id", value=GENERATION)
        assert chips(page.one("p", cls="scores", within=node).text) == "relevance 0.25"
        assert len(page.select("p", cls="scores")) == 1

    def test_no_scores_is_a_dash(self, empty_ui: ServedUi) -> None:
        seed(empty_ui)
        page = empty_ui.page(f"/traces/{TRACE_2}")
        assert page.one("span", cls="scores", within=page.one("li", cls="scores-chip")).text.strip() == "—"


def _score(name: str, data_type: ScoreDataType, value: float, string_value: str | None = None) -> Score:
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return Score(name, name, data_type, value, string_value, moment, moment, moment, trace_id="t")


class TestChips:
    def test_summaries(self) -> None:
        given = [
            _score("b", ScoreDataType.BOOLEAN, 0.0, "False"),
            _score("a", ScoreDataType.NUMERIC, 0.1),
            _score("c", ScoreDataType.CATEGORICAL, 0.0, "curt"),
            _score("c", ScoreDataType.CATEGORICAL, 0.0, "warm"),
            _score("c", ScoreDataType.CATEGORICAL, 0.0, "warm"),
        ]
        assert [(c.name, c.summary) for c in score_chips(given)] == [
            ("a", "0.10"),
            ("b", "False"),
            ("c", "curt, warm ×2"),
        ]
        assert score_chips(given)[2].title == "CATEGORICAL: curt, warm, warm"
