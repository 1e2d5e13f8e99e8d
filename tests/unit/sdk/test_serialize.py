"""Safe JSON for recorded inputs, outputs and metadata: anything goes in, JSON text comes out."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pytest

from otel_bridge.sdk.serialize import merged_metadata, to_json, to_jsonable


class Color(enum.Enum):
    RED = "red"


@dataclass
class Point:
    x: int
    y: int


class Model:
    """Stands in for a pydantic model."""

    def model_dump(self) -> dict[str, Any]:
        return {"field": Point(1, 2)}


class TestToJson:
    def test_plain_values_unchanged(self) -> None:
        """JSON values come out as they went in."""
        value = {"a": [1, 2.5, True, None, "x"], "b": {"c": "d"}}
        assert json.loads(to_json(value)) == value

    def test_stand_ins(self) -> None:
        """Dataclasses, models, enums, sets, tuples, bytes and datetimes get readable JSON stand-ins."""
        moment = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
        value = {
            "point": Point(1, 2),
            "model": Model(),
            "color": Color.RED,
            "set": {3, 1},
            "tuple": (1, 2),
            "bytes": b"\x00\xff",
            "when": moment,
            7: "int key",
        }
        assert to_jsonable(value) == {
            "point": {"x": 1, "y": 2},
            "model": {"field": {"x": 1, "y": 2}},
            "color": "red",
            "set": [1, 3],
            "tuple": [1, 2],
            "bytes": "AP8=",
            "when": "2025-01-02T03:04:05+00:00",
            "7": "int key",
        }

    def test_cycles_and_non_finite_numbers(self) -> None:
        """A cycle is cut with a stand-in; NaN and infinity become text (JSON has neither)."""
        loop: dict[str, Any] = {}
        loop["self"] = loop
        assert to_jsonable(loop) == {"self": "<dict>"}
        assert to_jsonable([float("nan"), float("inf")]) == ["nan", "inf"]
        json.loads(to_json([float("nan")]))

    def test_never_raises(self) -> None:
        """An object whose ``repr`` raises still gives JSON text: its type name."""

        class Hostile:
            def __repr__(self) -> str:
                raise RuntimeError("no")

        assert json.loads(to_json(Hostile())) == "<Hostile>"


class TestMergedMetadata:
    def test_merges_into_existing(self) -> None:
        """New keys replace existing ones, with value types kept."""
        assert json.loads(merged_metadata('{"a": 1, "b": 1}', {"b": 2, "c": True})) == {
            "a": 1,
            "b": 2,
            "c": True,
        }

    def test_fill_in_only(self) -> None:
        """With ``replace=False`` existing keys are kept."""
        assert json.loads(merged_metadata('{"a": 1}', {"a": 2, "b": 3}, replace=False)) == {"a": 1, "b": 3}

    def test_unreadable_existing_value(self) -> None:
        """An existing value that is not a JSON object is replaced."""
        assert json.loads(merged_metadata("not json", {"a": 1})) == {"a": 1}
        assert json.loads(merged_metadata(None, {"a": 1})) == {"a": 1}


def _deep(levels: int) -> object:
    value: object = "deeper than MAX_DEPTH"
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(
    "value",
    [
        {"q": "plain", "n": [1, 2.5, None, True]},
        {"nan": float("nan"), "inf": [float("inf")]},
        {(1, 2): "tuple key"},
        {"when": datetime(2026, 1, 2, 3, 4, 5), "tags": {"b", "a"}, "raw": b"\x00\x01"},
    ],
)
def test_fast_encoder_agrees_with_to_jsonable(value: object) -> None:
    """``to_json`` tries the C encoder first; whatever path it takes, the text means what
    ``to_jsonable`` makes of the value."""
    assert json.loads(to_json(value)) == to_jsonable(value)


def test_plain_nesting_deeper_than_max_depth_is_kept_whole() -> None:
    """The one difference of the fast path: plain lists nested past ``MAX_DEPTH`` are not cut (the
    cut is for object graphs, which still go through ``to_jsonable``)."""
    assert "deeper than MAX_DEPTH" in to_json(_deep(25))


def test_cycles_still_cut() -> None:
    cycle: list[object] = []
    cycle.append(cycle)
    assert to_json(cycle) == '["<list>"]'
