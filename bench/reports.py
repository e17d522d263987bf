"""Report and paper cost against the length of the history, measured side by side.

`tracker report` and `tracker paper` on a synthetic workspace of 100,000 returns against the same
commands on this repository's own data, interleaved round by round; target: at most 1.5x.

    python bench/reports.py [--updates 100000] [--rounds 10]

Writes bench/results/reports.md and bench/results/reports.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import machine, save, stamp, timed  # noqa: E402
from synthetic import build  # noqa: E402

BIN = Path(sys.executable).parent
AS_OF = "2025-06-30"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    tracker = str(BIN / "tracker")
    os.environ.pop("TRACKER_ROOT", None)

    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "big", Path(tmp) / "default"
        build(big, args.updates, seed=1)
        small.mkdir()
        shutil.copy(HERE.parent / "recommendations.yaml", small)
        shutil.copytree(HERE.parent / "status", small / "status")
        for root in (big, small):
            subprocess.run([tracker, "load"], cwd=root, check=True, capture_output=True)
        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.rounds):
            for command in ("report", "paper"):
                for name, root in (("default data", small), (f"{args.updates:,} returns", big)):
                    times.setdefault((command, name), []).append(timed([tracker, command, "--as-of", AS_OF], root))

    rows = []
    met = {}
    for command in ("report", "paper"):
        base = statistics.median(times[(command, "default data")])
        large = statistics.median(times[(command, f"{args.updates:,} returns")])
        met[command] = large / base <= 1.5
        rows.append((command, base, large, large / base))
    when, host = stamp(), machine()
    lines = [
        "# Reports against the length of the history",
        "",
        f"{when}; {host}; median of {args.rounds} interleaved rounds, `--as-of {AS_OF}`.",
        "Run from the repository: `python bench/reports.py`.",
        "",
        f"| command | default data (s) | {args.updates:,} returns (s) | ratio |",
        "|---|---:|---:|---:|",
        *(f"| `tracker {c}` | {b:.3f} | {big_s:.3f} | {r:.2f} |" for c, b, big_s, r in rows),
        "",
        f"Target: at most 1.5x: {'met' if all(met.values()) else 'NOT met'}.",
        "",
    ]
    report = "\n".join(lines)
    document = {
        "when": when,
        "machine": host,
        "updates": args.updates,
        "results": [
            {"command": c, "default_s": round(b, 4), "large_s": round(big_s, 4), "ratio": round(r, 3)} for c, b, big_s, r in rows
        ],
        "met": met,
    }
    save("reports", report, document)
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
