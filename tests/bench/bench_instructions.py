"""Benchmark: instructions per span of each stage before the write, counted by callgrind.

Run from the repository root: ``.venv/bin/python -m tests.bench bench_instructions`` (needs
``valgrind``: ``apt-get install valgrind``; skipped without it).

Wall-clock figures on a shared 2-core machine are noise; instruction counts are not. Each stage
runs in a child Python under ``valgrind --tool=callgrind`` twice, once with one pass over the
requests and once with ``1 + PASSES``; the difference, divided by the spans of ``PASSES`` passes, is
the stage's cost per span with the start-up, the imports, the set-up and the first (cold) pass
taken out. The requests are ``bench_e2e``'s (512 LLM-sized spans, unique content), written to a
file first so that generating them is not counted either.

Stages: ``decode-upb`` and ``decode-compiled`` (``otlp.decoders``), ``translate``
(``translate_spans`` of decoded records), ``prepare`` (the SQL store's ``WritePreparer`` on those
translations), ``worker`` (all three: ``prepare_export``, the collector's defaults),
``worker-gc-tuned`` (the same after ``tune_garbage_collector``, as a decode worker runs it), and
``writer`` (``write_prepared`` of ``WRITER_REQUESTS`` prepared requests in one transaction, into a
copy of the database ``bench_e2e`` prefills with 400,000 spans, after ``tune_garbage_collector``).
"""

from __future__ import annotations

import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench.bench_e2e import make_bodies, prefilled_database

REQUESTS = 2
PASSES = 2
#: The writer commits this many requests at once (2,048 spans: a group commit under load), new
#: spans every pass, into a copy of ``bench_e2e``'s prefilled database.
WRITER_REQUESTS = 4
STAGES = ("decode-upb", "decode-compiled", "translate", "prepare", "worker", "worker-gc-tuned", "writer")
_COLLECTED = re.compile(r"Collected : (\d+)")


def _stage(name: str, inputs: dict[str, Any], directory: str) -> Callable[[], object]:
    """The function one pass of ``name`` runs, with its inputs prepared."""
    bodies: list[bytes] = inputs["bodies"][:REQUESTS]
    from otel_bridge.ingest.workers import prepare_export, tune_garbage_collector
    from otel_bridge.otlp import decoders
    from otel_bridge.store.sql import SqlStore
    from otel_bridge.store.sql.migrations import upgrade
    from otel_bridge.translate import translate_spans

    if name == "writer":
        return _writer(inputs, directory)
    if name.startswith("decode-"):
        decoders.use("compiled" if name == "decode-compiled" else "upb")
        return lambda: [decoders.decode_protobuf(body) for body in bodies]
    records = [decoders.decode_protobuf(body).records for body in bodies]
    if name == "translate":
        return lambda: [translate_spans(batch) for batch in records]
    url = f"sqlite:///{directory}/instructions.db"
    upgrade(url)
    store = SqlStore(url)
    project_id = store.create_project("bench").project.id
    if name == "prepare":
        translations = [translate_spans(batch) for batch in records]
        return lambda: [store.preparer.prepare(project_id, batch) for batch in translations]
    if name == "worker-gc-tuned":
        tune_garbage_collector()
    return lambda: [prepare_export(store.preparer, project_id, body, "protobuf") for body in bodies]


def _writer(inputs: dict[str, Any], directory: str) -> Callable[[], object]:
    """One group commit of new spans a pass, into a copy of the prefilled database."""
    from otel_bridge.ingest.workers import tune_garbage_collector
    from otel_bridge.otlp import decode_protobuf
    from otel_bridge.store.sql import SqlStore
    from otel_bridge.translate import translate_spans

    copy = Path(directory) / "prefilled.db"
    shutil.copyfile(inputs["prefilled"], copy)
    store = SqlStore(f"sqlite:///{copy}")
    project = store.find_project("default")
    assert project is not None
    preparer = store.preparer
    prepared = [
        preparer.prepare(project.id, translate_spans(decode_protobuf(body).records))
        for body in inputs["bodies"]
    ]
    groups = iter([prepared[at : at + WRITER_REQUESTS] for at in range(0, len(prepared), WRITER_REQUESTS)])
    tune_garbage_collector()
    return lambda: store.write_prepared(next(groups))


def child(name: str, inputs_path: str, passes: int) -> None:
    """What runs under valgrind: ``passes`` passes of stage ``name``."""
    inputs = pickle.loads(Path(inputs_path).read_bytes())
    with tempfile.TemporaryDirectory() as directory:
        one_pass = _stage(name, inputs, directory)
        for _ in range(passes):
            one_pass()


def instructions(name: str, bodies_path: Path, passes: int) -> int:
    """Instructions callgrind counted for a child running ``passes`` passes of ``name``."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "tests.bench.bench_instructions",
        name,
        str(bodies_path),
        str(passes),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    match = _COLLECTED.search(done.stderr)
    if match is None:
        raise RuntimeError(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(match.group(1))


def run(stages: tuple[str, ...] = STAGES) -> list[str]:
    """Instructions per span of each stage; printable lines."""
    if shutil.which("valgrind") is None:
        return ["  skipped: valgrind is not installed (apt-get install valgrind)"]
    from otel_bridge.otlp import decoders

    inputs = {
        "bodies": make_bodies((1 + PASSES) * WRITER_REQUESTS * 512),
        "prefilled": str(prefilled_database()) if "writer" in stages else "",
    }
    lines = [
        f"instructions per span (callgrind; {REQUESTS} requests of 512 spans a pass, the writer "
        f"{WRITER_REQUESTS}; {PASSES} warm passes)"
    ]
    with tempfile.TemporaryDirectory() as directory:
        inputs_path = Path(directory) / "inputs.pickle"
        inputs_path.write_bytes(pickle.dumps(inputs))
        for name in stages:
            if name == "decode-compiled" and not decoders.compiled_available():
                lines.append(f"  {name:<16} skipped: the compiled decoder is not built (make test builds it)")
                continue
            spans = PASSES * (WRITER_REQUESTS if name == "writer" else REQUESTS) * 512
            cost = instructions(name, inputs_path, 1 + PASSES) - instructions(name, inputs_path, 1)
            lines.append(f"  {name:<16} {cost / spans / 1000:>8.1f}k instructions/span")
    return lines


if __name__ == "__main__":
    if len(sys.argv) == 4:
        child(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    else:
        print("\n".join(run(tuple(sys.argv[1:]) or STAGES)))
