"""Importing returns from a spreadsheet, and importing the same file again.

A department's pack comes back, is imported, and is sent again by mistake (or a secretary runs the
import twice): the second import finds every row recorded and must be no slower than the first.
Both run side by side on the same CSV of N returns exported from a synthetic workspace.

    python bench/reimport.py [--updates 100000] [--rounds 3]

Writes bench/results/reimport.md and bench/results/reimport.json.
"""

from __future__ import annotations

import argparse
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    tracker = str(BIN / "tracker")
    first, again = [], []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source"
        build(source, args.updates, seed=1)
        sheet = Path(tmp) / "returns.csv"
        sheet.write_bytes(subprocess.run([tracker, "export"], cwd=source, check=True, capture_output=True).stdout)
        for i in range(args.rounds):
            ws = Path(tmp) / f"ws{i}"
            subprocess.run([tracker, "init", str(ws)], check=True, capture_output=True)
            subprocess.run([tracker, "load"], cwd=ws, check=True, capture_output=True)
            first.append(timed([tracker, "import", str(sheet)], ws))
            again.append(timed([tracker, "import", str(sheet)], ws))
    first_s, again_s = statistics.median(first), statistics.median(again)
    ratio = again_s / first_s
    lines = [
        "# Import and re-import",
        "",
        f"{stamp()}; {machine()}. {args.updates:,} returns in one CSV; median of {args.rounds} rounds, each a first",
        "import into a new workspace followed by the same import again. Run: `python bench/reimport.py`.",
        "",
        "| measurement | median (s) |",
        "|---|---:|",
        f"| first import | {first_s:.2f} |",
        f"| the same file again (every row already recorded) | {again_s:.2f} |",
        "",
        f"Re-import / first import: {ratio:.2f} (target at most 1): {'met' if ratio <= 1 else 'NOT met'}.",
        "",
    ]
    save(
        "reimport",
        "\n".join(lines),
        {"when": stamp(), "machine": machine(), "updates": args.updates, "first_s": first_s, "again_s": again_s, "ratio": ratio},
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
