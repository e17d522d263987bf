"""Start-up time of tracker's everyday commands, side by side with sqlite-utils --help.

Runs every command in turn, round after round (so machine noise hits them all alike), on a fresh
copy of the default data with its database already built, and reports the median wall time of
each and its ratio to `sqlite-utils --help`. Target: every tracker command at most 0.8x.

    python bench/startup.py [--rounds 30]

Writes bench/results/startup.md and bench/results/startup.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import machine, save, stamp  # noqa: E402

REPO = HERE.parent
BIN = Path(sys.executable).parent
TARGET = 0.8


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    tracker, sqlite_utils = BIN / "tracker", BIN / "sqlite-utils"
    for exe in (tracker, sqlite_utils):
        if not exe.exists():
            sys.exit(f"{exe} not found: run this with the Python of a venv where tracker is installed")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        subprocess.run([tracker, "init", str(root)], check=True, capture_output=True)
        env = {k: v for k, v in os.environ.items() if k != "TRACKER_ROOT"}
        # A second workspace never gets a tracker.db: `check` there reads and validates the YAML,
        # as it does in CI on a fresh clone.
        clean = Path(tmp) / "clean"
        subprocess.run([tracker, "init", str(clean)], check=True, capture_output=True)
        commands = {
            "sqlite-utils --help": ([str(sqlite_utils), "--help"], root),
            "tracker --help": ([str(tracker), "--help"], root),
            "tracker list": ([str(tracker), "list"], root),
            "tracker check": ([str(tracker), "check"], root),
            "tracker check (no tracker.db, as in CI)": ([str(tracker), "check"], clean),
        }
        for command, cwd in commands.values():  # warm the file cache and build tracker.db
            subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
        assert not (clean / "tracker.db").exists()
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, (command, cwd) in commands.items():
                started = time.perf_counter()
                subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - started)

    base = statistics.median(times["sqlite-utils --help"])
    rows = []
    for name, samples in times.items():
        median = statistics.median(samples)
        rows.append({"command": name, "median_ms": round(median * 1000, 1), "ratio": round(median / base, 2)})
    # The target is for commands at a terminal on a workspace in use; the CI row is shown for information.
    ok = all(r["ratio"] <= TARGET for r in rows if r["command"].startswith("tracker") and "CI" not in r["command"])

    when, host = stamp(), machine()
    lines = [
        "# Start-up benchmark",
        "",
        f"{when}; {host}; {args.rounds} rounds, commands interleaved; median wall time.",
        "Run from the repository: `python bench/startup.py`.",
        "",
        "| command | median (ms) | ratio to sqlite-utils --help |",
        "|---|---:|---:|",
        *(f"| `{r['command']}` | {r['median_ms']} | {r['ratio']} |" for r in rows),
        "",
        f"Target: every tracker command at most {TARGET}x `sqlite-utils --help`: {'met' if ok else 'NOT met'}.",
        "The last row (a workspace with no tracker.db, so `check` reads and validates the whole YAML) is",
        "for information: it is what CI pays once per run, not what a person pays at a terminal.",
        "",
    ]
    report = "\n".join(lines)
    document = {"when": when, "machine": host, "rounds": args.rounds, "target_ratio": TARGET, "results": rows, "met": ok}
    save("startup", report, document)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
