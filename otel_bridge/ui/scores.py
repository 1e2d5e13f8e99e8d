"""Scores as the pages show them: one chip per score name, summarizing that name's scores of a
session, a trace or an observation (as Langfuse's tables aggregate them):

- numeric: the average, to two decimals, and how many when more than one (``accuracy 0.75 ×2``);
- boolean: ``True``/``False`` for one score, else how many are true (``helpful 2/3 true``);
- categorical: each value, with its count when repeated (``tone friendly ×2, curt``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from otel_bridge.model import Score, ScoreDataType
from otel_bridge.store import ScoreFilter, Store

#: Scores one page reads (a page of sessions, a session's page of traces, a trace).
MAX_SCORES = 5000


@dataclass(frozen=True, slots=True)
class ScoreChip:
    """One score name and the summary of its values; ``title`` has every value."""

    name: str
    summary: str
    title: str


def _summary(data_type: ScoreDataType, scores: list[Score]) -> str:
    count = len(scores)
    if data_type is ScoreDataType.NUMERIC:
        average = sum(s.value for s in scores) / count
        return f"{average:.2f}" + (f" ×{count}" if count > 1 else "")
    if data_type is ScoreDataType.BOOLEAN:
        true = sum(1 for s in scores if s.value == 1.0)
        return ("True" if true else "False") if count == 1 else f"{true}/{count} true"
    counts = Counter(s.string_value or "" for s in scores)
    return ", ".join(value + (f" ×{n}" if n > 1 else "") for value, n in sorted(counts.items()))


def score_chips(scores: Iterable[Score]) -> list[ScoreChip]:
    """One chip per (name, data type), sorted by name."""
    groups: dict[tuple[str, ScoreDataType], list[Score]] = defaultdict(list)
    for score in scores:
        groups[(score.name, score.data_type)].append(score)
    chips = []
    for (name, data_type), members in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1].value)):
        values = ", ".join(s.string_value if s.string_value is not None else f"{s.value:g}" for s in members)
        chips.append(ScoreChip(name, _summary(data_type, members), f"{data_type.value}: {values}"))
    return chips


def scores_of(store: Store, project_id: str, where: ScoreFilter) -> list[Score]:
    """The scores ``where`` selects, up to ``MAX_SCORES``."""
    return [listed.score for listed in store.list_scores(project_id, where, limit=MAX_SCORES).items]


def chips_by_session(store: Store, project_id: str, session_ids: Iterable[str]) -> dict[str, list[ScoreChip]]:
    """The chips of each session's own scores."""
    ids = tuple(session_ids)
    if not ids:
        return {}
    grouped: dict[str, list[Score]] = defaultdict(list)
    for score in scores_of(store, project_id, ScoreFilter(session_ids=ids)):
        grouped[str(score.session_id)].append(score)
    return {session_id: score_chips(scores) for session_id, scores in grouped.items()}


def chips_by_trace(
    store: Store, project_id: str, trace_ids: Iterable[str]
) -> tuple[dict[str, list[ScoreChip]], dict[str, list[ScoreChip]]]:
    """The chips of each trace's own scores, and of each of their observations' scores."""
    ids = tuple(trace_ids)
    by_trace: dict[str, list[Score]] = defaultdict(list)
    by_observation: dict[str, list[Score]] = defaultdict(list)
    if ids:
        for score in scores_of(store, project_id, ScoreFilter(trace_ids=ids)):
            if score.observation_id is None:
                by_trace[str(score.trace_id)].append(score)
            else:
                by_observation[score.observation_id].append(score)
    return (
        {key: score_chips(scores) for key, scores in by_trace.items()},
        {key: score_chips(scores) for key, scores in by_observation.items()},
    )


__all__ = ["MAX_SCORES", "ScoreChip", "chips_by_session", "chips_by_trace", "score_chips", "scores_of"]
