"""A long fuzz of every reader: tests/test_fuzz.py's properties, each given many inputs.

Each reader (status files, assessments, recommendations, CSV, workbooks, the journal, and CSV written
by export and read back) must read an input or refuse it in a DataError, never anything else, never
change a file, and agree with PyYAML about what a status file holds. The fast loop gives each a few
dozen inputs; this gives each EXAMPLES.

    python bench/fuzz.py [--examples 5000]

Writes bench/results/fuzz.md and bench/results/fuzz.json: how many inputs each reader was given,
how long the fuzz ran, and the slowest single input of each reader.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from common import machine, save, stamp  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000)
    args = parser.parse_args()
    os.environ["TRACKER_FUZZ_EXAMPLES"] = str(args.examples)
    os.chdir(REPO)
    sys.path.insert(0, str(REPO))
    import pytest

    started = time.perf_counter()
    code = pytest.main(["-q", "-p", "no:cacheprovider", "--all", "tests/test_fuzz.py", "-k", "long"])
    took = time.perf_counter() - started
    fuzz = sys.modules["tests.test_fuzz"]
    tried, slowest = dict(fuzz.TRIED), dict(fuzz.SLOWEST)
    total = sum(tried.values())
    lines = [
        "# Fuzz of every reader",
        "",
        f"{stamp()}; {machine()}. Up to {args.examples:,} inputs a reader; {total:,} inputs in {took:.0f} s;"
        f" {'no failure' if code == 0 else 'FAILURES: see the pytest output'}."
        f" Run: `python bench/fuzz.py --examples {args.examples}`.",
        "",
        "| reader | inputs | slowest input (s) |",
        "|---|---:|---:|",
        *(f"| {name} | {tried[name]:,} | {slowest[name]:.3f} |" for name in sorted(tried)),
        "",
    ]
    document = {
        "when": stamp(),
        "machine": machine(),
        "examples": args.examples,
        "seconds": round(took, 1),
        "inputs": tried,
        "slowest_seconds": {k: round(v, 4) for k, v in slowest.items()},
        "passed": code == 0,
    }
    save("fuzz", "\n".join(lines), document)
    return int(code)


if __name__ == "__main__":
    raise SystemExit(main())
