"""``make bench``: run every benchmark and print its figures.

Speed targets are checked here, not in timed tests: the machines are shared and noisy, so compare
ratios measured in one run. Each module exposes ``run() -> list[str]``.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time

MODULES = (
    "tests.bench.bench_decode",
    "tests.bench.bench_store",
    "tests.bench.bench_e2e",
    "tests.bench.bench_replicas",
    "tests.bench.bench_forward",
    "tests.bench.bench_sdk",
    "tests.bench.bench_ui",
    "tests.bench.bench_instructions",
)


def main() -> int:
    """Run the benchmarks named on the command line (module suffixes), or all of them."""
    wanted = sys.argv[1:]
    print(f"# otel-bridge benchmarks — python {platform.python_version()}, {os.cpu_count()} cores")
    for name in MODULES:
        if wanted and not any(name.endswith(w) for w in wanted):
            continue
        module = importlib.import_module(name)
        started = time.perf_counter()
        print(f"\n## {name.rsplit('.', 1)[-1]}")
        for line in module.run():
            print(line, flush=True)
        print(f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
