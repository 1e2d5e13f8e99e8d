"""Inputs that once made a fuzz target fail, kept as regression cases: ``<target>/<name>`` files, raw
request bodies (``protobuf``, ``json``: OTLP decoders and OTLP/HTTP; ``ingestion``: Langfuse batch
ingestion). The fuzz tests replay every file on every run. Add a file for every failure a fuzzer finds
(hypothesis prints the input; atheris writes ``crash-*`` files, which ``make fuzz`` copies here), with
its cause in ``README.md``."""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).parent


def replay(*targets: str) -> list[tuple[str, bytes]]:
    """``(target, body)`` for every kept input of ``targets``."""
    return [
        (target, path.read_bytes())
        for target in targets
        for path in sorted((CORPUS / target).glob("*"))
        if path.is_file()
    ]


__all__ = ["CORPUS", "replay"]
