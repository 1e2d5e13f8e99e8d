"""Coverage-guided fuzzing of the OTLP decoders with atheris (libFuzzer), for ``make fuzz``:

    python -m tests.fuzz.atheris_targets protobuf|json [libFuzzer flags, e.g. -max_total_time=60]

The contract is the hypothesis targets' (``test_fuzz_decoders.check``): a body decodes, or raises
``DecodeError`` with a message; anything else is a crash, which libFuzzer writes as ``crash-<sha1>``
in the working directory (``make fuzz`` runs in ``.fuzz-failures/atheris``). Keep every crash as a
regression case: copy it to ``tests/fuzz/corpus/<target>/`` and note it in that README. The seed
corpus is the regression corpus plus the captured fixtures of ``tests/fixtures``.

atheris is not a dev dependency (it builds against libFuzzer, which not every machine has);
``make fuzz`` installs it.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from otel_bridge.otlp import decode_json, decode_protobuf  # noqa: F401 - instrumented for coverage

from tests.fuzz.test_fuzz_decoders import check  # after the instrumented imports


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in ("protobuf", "json"):
        raise SystemExit("usage: python -m tests.fuzz.atheris_targets protobuf|json [libFuzzer flags]")
    target = argv[1]

    def one_input(data: bytes) -> None:
        check(target, data)

    atheris.Setup([argv[0], *argv[2:]], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
