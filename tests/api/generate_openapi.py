"""Rebuild ``otel_bridge/api/openapi.json`` from Langfuse's spec: ``python -m tests.api.generate_openapi``
(``--check`` exits 1 when the shipped file is stale instead of writing it)."""

from __future__ import annotations

import sys
from pathlib import Path

from otel_bridge.api import openapi
from tests.api.openapi_schemas import langfuse_spec

SHIPPED = Path(openapi.__file__).with_name(openapi.DOCUMENT_NAME)


def expected_text() -> str:
    """The document as ``build_document`` makes it from the current spec."""
    return openapi.render_document(openapi.build_document(langfuse_spec()))


def main(argv: list[str]) -> int:
    """Write the document, or with ``--check`` compare it."""
    text = expected_text()
    if "--check" in argv:
        current = SHIPPED.read_text("utf-8") if SHIPPED.exists() else ""
        if current != text:
            print(f"{SHIPPED} is stale: run python -m tests.api.generate_openapi", file=sys.stderr)
            return 1
        return 0
    SHIPPED.write_text(text, "utf-8")
    print(f"wrote {SHIPPED} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
