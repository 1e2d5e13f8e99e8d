"""The golden corpus itself is well-formed, without running the translator: every case has its provenance
and hand-written checks, its OTLP/JSON follows the spec's encoding, and every convention is fully checked."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

CASES_DIR = Path(__file__).parent / "cases"
CASE_DIRS = sorted({p.parent for p in CASES_DIR.glob("**/*.otlp.json")})
CONVENTIONS = (
    "genai",
    "traceloop",
    "openinference",
    "langfuse",
    "vercel_ai",
    "pydantic_ai",
    "mlflow",
    "google_adk",
)
FULL_CHECK = (
    "session_id",
    "user_id",
    "observation_types",
    "model",
    "usage",
    "input_contains",
    "output_contains",
)
HEX_LENGTH = {"traceId": 32, "spanId": 16, "parentSpanId": 16}


def _dir_id(path: Path) -> str:
    return path.relative_to(CASES_DIR).as_posix()


def _spans(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for rs in data["resourceSpans"] for ss in rs.get("scopeSpans", []) for s in ss.get("spans", [])]


def _covered(checks: dict[str, Any]) -> set[str]:
    covered = set()
    for trace in checks.get("traces", []):
        covered |= {k for k in ("session_id", "user_id") if trace.get(k)}
    if checks.get("observation_types"):
        covered.add("observation_types")
    for item in checks.get("observations", []):
        if item.get("select", {}).get("type", "GENERATION") == "GENERATION":
            covered |= {k for k in ("model", "usage", "input_contains", "output_contains") if item.get(k)}
    return covered


@pytest.mark.parametrize("case_dir", CASE_DIRS, ids=_dir_id)
def test_case_has_provenance_and_checks(case_dir: Path) -> None:
    """Each case directory documents where its spans came from and what must come out of them."""
    provenance = json.loads((case_dir / "provenance.json").read_text(encoding="utf-8"))
    checks = json.loads((case_dir / "checks.json").read_text(encoding="utf-8"))
    assert provenance.get("kind") and provenance.get("convention") == case_dir.parent.name
    assert checks.get("traces"), "checks.json must state every trace's session id"


@pytest.mark.parametrize("case_dir", CASE_DIRS, ids=_dir_id)
def test_case_is_spec_conformant_otlp_json(case_dir: Path) -> None:
    """Ids are lowercase hex of the right length, int64s and times are strings, keys are lowerCamelCase."""
    for case in case_dir.glob("*.otlp.json"):
        data = json.loads(case.read_text(encoding="utf-8"))
        spans = _spans(data)
        assert spans
        for span in spans:
            for key, length in HEX_LENGTH.items():
                if key in span:
                    assert re.fullmatch(f"[0-9a-f]{{{length}}}", span[key]), (key, span[key])
            for key in ("startTimeUnixNano", "endTimeUnixNano"):
                assert isinstance(span[key], str) and span[key].isdigit(), (key, span[key])
            for attribute in span.get("attributes", []):
                if "intValue" in attribute["value"]:
                    assert isinstance(attribute["value"]["intValue"], str), attribute
            assert not [k for k in span if "_" in k], f"snake_case keys in {span['name']}"


def test_every_convention_has_a_fully_checked_case() -> None:
    """Each convention has a case whose checks cover session, user, types, model, usage, input and output."""
    missing = {}
    for convention in CONVENTIONS:
        best: set[str] = set()
        for case_dir in CASE_DIRS:
            if case_dir.parent.name == convention and (case_dir / "checks.json").exists():
                checks = json.loads((case_dir / "checks.json").read_text(encoding="utf-8"))
                best = max(best, _covered(checks), key=len)
        if set(FULL_CHECK) - best:
            missing[convention] = sorted(set(FULL_CHECK) - best)
    assert not missing, f"conventions without a fully checked case: {missing}"
