"""The package's one compiled part: ``otel_bridge/otlp/_wire.pyx``, the OTLP protobuf wire decoder.

Everything else is in ``pyproject.toml``. The extension is optional: without a C compiler (or without
Cython) the package installs without it and ``otel_bridge.otlp.decoders`` uses the upb reference
decoder, which gives the same results, slower. ``make test`` builds it in place.
"""

from __future__ import annotations

import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """build_ext that warns instead of failing when the extension cannot be compiled."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # any compiler failure means "no extension"
            print(
                f"otel-bridge: compiled decoder not built ({error}); using the upb decoder", file=sys.stderr
            )

    def build_extension(self, ext):  # type: ignore[no-untyped-def]
        try:
            super().build_extension(ext)
        except Exception as error:
            print(f"otel-bridge: {ext.name} not built ({error}); using the upb decoder", file=sys.stderr)


def extensions() -> list[object]:
    try:
        from Cython.Build import cythonize  # noqa: PLC0415 -- optional: a build without Cython still works
    except ImportError:
        print("otel-bridge: Cython missing; the compiled decoder is not built", file=sys.stderr)
        return []
    return list(
        cythonize(["otel_bridge/otlp/_wire.pyx"], compiler_directives={"language_level": "3"}, quiet=True)
    )


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
