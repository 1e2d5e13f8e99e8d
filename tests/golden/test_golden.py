"""The golden translation corpus: OTLP captured from real instrumentation libraries, decoded, translated and
resolved, compared with a reviewed expected document and with hand-written checks.

- ``test_translation_matches_expected``: the whole output of each ``cases/**/*.otlp.json`` against the sibling
  ``*.expected.json`` (regenerate with ``pytest tests/golden --update-golden``, then review the diff).
- ``test_translation_passes_checks``: what a person knows must come out of each capture, from the case
  directory's hand-written ``checks.json`` (the format is described in ``README.md``). These never regenerate.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import enum
import json
import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from otel_bridge.model import Observation, ObservationType, SpanRecord, Trace, TraceClaims
from otel_bridge.otlp import decode_json, decode_protobuf
from otel_bridge.translate import resolve_trace, translate_spans
from tests.golden.capture import to_protobuf

try:  # inputs/outputs may be deferred ``Payload``s, normalized when read (otel_bridge.translate.payloads)
    from otel_bridge.translate.payloads import resolve_payload
except ImportError:  # pragma: no cover - a translator that does not defer payloads

    def resolve_payload(value: Any) -> Any:
        return value


CASES_DIR = Path(__file__).parent / "cases"
CASES = sorted(CASES_DIR.glob("**/*.otlp.json"))
CASE_DIRS = sorted({case.parent for case in CASES})
MAX_DIFF_LINES = 400


def _case_id(path: Path) -> str:
    return path.relative_to(CASES_DIR).as_posix().removesuffix(".otlp.json")


def _dir_id(path: Path) -> str:
    return path.relative_to(CASES_DIR).as_posix()


@dataclasses.dataclass(frozen=True)
class Translated:
    """One case run through decode → translate → group by trace → resolve."""

    records: list[SpanRecord]
    observations: list[Observation]
    traces: list[Trace]


def translate_case(path: Path) -> Translated:
    """Decode, translate and resolve one ``.otlp.json`` file; every span must be accepted. The case is
    decoded as OTLP/JSON and, converted, as OTLP protobuf by the decoder under test (``each_decoder``,
    conftest.py: both), which must give the same records; the translation starts from the latter."""
    body = path.read_bytes()
    result = decode_json(body)
    assert not result.rejected, f"{_case_id(path)}: the decoder rejected spans: {list(result.rejected)}"
    from_protobuf = decode_protobuf(to_protobuf(body))
    assert from_protobuf == result, f"{_case_id(path)}: OTLP/JSON and protobuf decode differently"
    records = list(from_protobuf.records)
    translations = translate_spans(records)
    claims_by_trace: dict[str, list[TraceClaims]] = defaultdict(list)
    for translation in translations:
        claims_by_trace[translation.claims.trace_id].append(translation.claims)
    traces = [resolve_trace(claims) for claims in claims_by_trace.values()]
    traces.sort(key=lambda t: (t.timestamp, t.id))
    observations = sorted(
        (t.observation for t in translations), key=lambda o: (o.trace_id, o.start_time, o.id)
    )
    return Translated(records, observations, traces)


# ----------------------------------------------------------------------------------------- serialization


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def to_jsonable(value: Any) -> Any:
    """Dataclasses → dicts, datetimes → ISO-8601 UTC with 'Z', enums → values, tuples → lists; deferred
    payloads are resolved to their readable value first."""
    resolved = resolve_payload(value)
    if resolved is not value:
        return to_jsonable(resolved)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((to_jsonable(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


def render(translated: Translated) -> str:
    """The stable JSON document compared with ``*.expected.json``."""
    document = {
        "traces": [to_jsonable(t) for t in translated.traces],
        "observations": [to_jsonable(o) for o in translated.observations],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def expected_path(case: Path) -> Path:
    return case.with_name(case.name.removesuffix(".otlp.json") + ".expected.json")


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_translation_matches_expected(case: Path, update_golden: bool) -> None:
    """The translation of a captured case equals its reviewed expected document."""
    actual = render(translate_case(case))
    target = expected_path(case)
    if update_golden:
        if not target.exists() or target.read_text(encoding="utf-8") != actual:
            target.write_text(actual, encoding="utf-8")
        return
    if not target.exists():
        pytest.fail(
            f"{target.relative_to(CASES_DIR.parent)} is missing: create it with "
            f"`pytest tests/golden --update-golden`, then review it before committing",
            pytrace=False,
        )
    expected = target.read_text(encoding="utf-8")
    if actual != expected:
        diff = list(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"{target.name} (expected)",
                tofile=f"{target.name} (actual)",
            )
        )
        shown = "".join(diff[:MAX_DIFF_LINES])
        if len(diff) > MAX_DIFF_LINES:
            shown += f"\n... {len(diff) - MAX_DIFF_LINES} more diff lines\n"
        pytest.fail(
            f"{_case_id(case)}: translation differs from the expected file "
            f"(if the change is intended: `pytest tests/golden --update-golden` and review):\n{shown}",
            pytrace=False,
        )


# ----------------------------------------------------------------------------------------------- checks


def _strings(value: Any) -> list[str]:
    """Every string inside a value; strings that hold JSON are decoded and searched too, so a check is
    about content, not about how the translator represents it (``*.expected.json`` pins the form)."""
    if isinstance(value, str):
        found = [value]
        if value.lstrip()[:1] in ("[", "{", '"'):
            with contextlib.suppress(ValueError):
                found += _strings(json.loads(value))
        return found
    if isinstance(value, Mapping):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [] if value is None else [str(value)]


def _text(value: Any) -> str:
    """A value as searchable text."""
    return "\n".join(_strings(to_jsonable(value)))


def _span_count(case: Path) -> int:
    data = json.loads(case.read_text(encoding="utf-8"))
    return sum(
        len(scope_spans.get("spans", []))
        for resource_spans in data.get("resourceSpans", [])
        for scope_spans in resource_spans.get("scopeSpans", [])
    )


def _check_types(expected: Mapping[str, int], observations: list[Observation]) -> list[str]:
    """Match the observation-type multiset; a key "A|B" accepts either type for its count."""
    actual = Counter(o.type.value for o in observations)
    remaining = Counter(actual)
    problems = []
    ordered = sorted(expected.items(), key=lambda item: "|" in item[0])  # exact keys first
    for key, count in ordered:
        allowed = key.split("|")
        unknown = [t for t in allowed if t not in ObservationType.__members__]
        if unknown:
            problems.append(f"checks.json names unknown observation types {unknown}")
            continue
        missing = count
        for kind in allowed:
            take = min(missing, remaining[kind])
            remaining[kind] -= take
            missing -= take
        if missing:
            problems.append(f"{missing} fewer observations of type {key} than expected")
    leftover = {k: v for k, v in remaining.items() if v}
    if leftover:
        problems.append(f"unexpected observations by type: {leftover}")
    if problems:
        problems.append(f"expected types {dict(expected)}, got {dict(actual)}")
    return problems


def _select(spec: Mapping[str, Any], translated: Translated) -> list[Observation]:
    names = {r.span_id: r.name for r in translated.records}
    kind = spec.get("type", "GENERATION")
    chosen = [o for o in translated.observations if o.type.value == kind]
    if "span_name" in spec:
        chosen = [o for o in chosen if names.get(o.id) == spec["span_name"]]
    if "trace" in spec:
        trace_id = translated.traces[spec["trace"]].id
        chosen = [o for o in chosen if o.trace_id == trace_id]
    chosen.sort(key=lambda o: (o.start_time, o.id))
    if "nth" in spec:
        chosen = chosen[spec["nth"] : spec["nth"] + 1]
    return chosen


def _check_observations(item: Mapping[str, Any], translated: Translated) -> list[str]:
    spec = item.get("select", {})
    chosen = _select(spec, translated)
    problems = []
    if "count" in item and len(chosen) != item["count"]:
        problems.append(f"select {dict(spec)}: {len(chosen)} observations, expected {item['count']}")
    if not chosen:
        return [*problems, f"select {dict(spec)}: no observation matched"]
    for o in chosen:
        where = f"{o.type.value} {o.name!r} ({o.id})"
        if "model" in item and o.model != item["model"]:
            problems.append(f"{where}: model {o.model!r}, expected {item['model']!r}")
        for field, want in item.get("usage", {}).items():
            got = getattr(o.usage, field)
            if got != want:
                problems.append(f"{where}: usage.{field} = {got}, expected {want}")
        for side in ("input", "output"):
            text = _text(getattr(o, side))
            for needle in item.get(f"{side}_contains", []):
                if needle not in text:
                    problems.append(f"{where}: {side} lacks {needle!r}; {side} = {text[:300]!r}")
    return problems


@pytest.mark.parametrize("case_dir", CASE_DIRS, ids=_dir_id)
def test_translation_passes_checks(case_dir: Path) -> None:
    """What a person knows must come out of a capture (checks.json) comes out of the translator."""
    checks_path = case_dir / "checks.json"
    assert checks_path.exists(), f"{_dir_id(case_dir)} has no hand-written checks.json"
    checks = json.loads(checks_path.read_text(encoding="utf-8"))
    problems: list[str] = []
    for case in sorted(case_dir.glob("*.otlp.json")):
        translated = translate_case(case)
        spans = _span_count(case)
        if len(translated.observations) != spans:
            problems.append(
                f"{len(translated.observations)} observations from {spans} spans (every span is one)"
            )
        expected_traces = checks.get("traces", [])
        if len(translated.traces) != len(expected_traces):
            problems.append(f"{len(translated.traces)} traces, expected {len(expected_traces)}")
        for i, (want, trace) in enumerate(zip(expected_traces, translated.traces, strict=False)):
            for field in ("session_id", "user_id", "name", "environment"):
                if field in want and getattr(trace, field) != want[field]:
                    got = getattr(trace, field)
                    problems.append(f"trace #{i} ({trace.id}): {field} {got!r}, expected {want[field]!r}")
        if "observation_types" in checks:
            problems += _check_types(checks["observation_types"], translated.observations)
        for item in checks.get("observations", []):
            problems += _check_observations(item, translated)
    assert not problems, f"{_dir_id(case_dir)}:\n  " + "\n  ".join(problems)
