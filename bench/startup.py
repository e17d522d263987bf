"""Start-up time of tracker's everyday commands, side by side with sqlite-utils --help.

Runs every command in turn, round after round (so machine noise hits them all alike), on a fresh
copy of the default data and this repository's assessments with its database already built, and reports the median wall time of
each and its ratio to `sqlite-utils --help`. Targets: every tracker command at most 0.8x, the board
pack's HTML paper at most 1.0x and its Word paper at most 2.0x (they work out the trend for their
dashboard, and Word draws it as a picture); `check` in CI, which reads and checks all the YAML, is
shown for what it costs. The rows marked (partnership) run in a partnership's workspace (the
review kept for reference, a plan of 20 local actions under it): the same targets hold there. Each
target is printed as met or not; the exit code is 1 if any is not.

    python bench/startup.py [--rounds 30] [--baseline OTHER_VENV/bin]

With --baseline, the same commands of another installed tracker (an earlier version, say) are run
in the same rounds, and each is compared with its counterpart.

Writes bench/results/startup.md and bench/results/startup.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
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
# The board pack's papers: their own targets. The CI row: for information (None).
TARGETS: dict[str, float | None] = {
    "paper --format html (board pack)": 1.0,
    "paper --format docx (board pack)": 2.0,
    "check (no tracker.db, as in CI)": None,
}


def target(command: str) -> float | None:
    """The most a row of this tracker may cost, as a ratio to sqlite-utils --help (None: no target)."""
    if not command.startswith("tracker "):
        return None
    return TARGETS.get(command.removeprefix("tracker "), TARGET)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--baseline", type=Path, help="the bin folder of another venv with tracker installed")
    args = parser.parse_args()

    tracker, sqlite_utils = BIN / "tracker", BIN / "sqlite-utils"
    for exe in (tracker, sqlite_utils):
        if not exe.exists():
            sys.exit(f"{exe} not found: run this with the Python of a venv where tracker is installed")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        subprocess.run([tracker, "init", str(root)], check=True, capture_output=True)
        shutil.copy(REPO / "assessments.yaml", root)  # this repository's record, for the reports to show
        pack = subprocess.run([tracker, "pack", "--dept", "DWP"], cwd=root, check=True, capture_output=True).stdout
        (Path(tmp) / "pack.csv").write_bytes(pack)  # as sent: nothing filled in, so importing it records nothing
        env = {k: v for k, v in os.environ.items() if k != "TRACKER_ROOT"}
        # A second workspace never gets a tracker.db: `check` there reads and validates the YAML,
        # as it does in CI on a fresh clone.
        clean = Path(tmp) / "clean"
        subprocess.run([tracker, "init", str(clean)], check=True, capture_output=True)
        # A partnership's workspace: the review kept for reference, 20 local actions under it, returns on two.
        local = Path(tmp) / "partnership"
        subprocess.run(
            [tracker, "init", str(local), "--partnership", "Cambridgeshire and Peterborough"], check=True, capture_output=True
        )
        shutil.copy(REPO / "tests" / "data" / "partnership_plan.yaml", local / "sources" / "plan.yaml")
        for item, dept, rag in (("CP-1", "POLICE", "amber"), ("CP-10", "CPH", "red")):
            returned = [tracker, "update", item, "--dept", dept, "--rag", rag, "--summary", "Under way", "--author", "A"]
            subprocess.run(returned, cwd=local, check=True, capture_output=True)
        commands = {"sqlite-utils --help": ([str(sqlite_utils), "--help"], root)}
        for label, exe, folder in [("tracker", tracker, ""), ("baseline", args.baseline and args.baseline / "tracker", "b")]:
            if not exe:
                continue
            ws, ci = root.with_name(root.name + folder), clean.with_name(clean.name + folder)
            if folder:  # the baseline's own workspaces, so neither reads a database the other built
                subprocess.run([exe, "init", str(ws)], check=True, capture_output=True)
                subprocess.run([exe, "init", str(ci)], check=True, capture_output=True)
            commands |= {
                f"{label} --help": ([str(exe), "--help"], ws),
                f"{label} list": ([str(exe), "list"], ws),
                f"{label} check": ([str(exe), "check"], ws),
                f"{label} report": ([str(exe), "report"], ws),
                f"{label} show 9": ([str(exe), "show", "9"], ws),
                f"{label} departments": ([str(exe), "departments"], ws),
                f"{label} paper": ([str(exe), "paper"], ws),
                f"{label} paper --format html (board pack)": ([str(exe), "paper", "--format", "html"], ws),
                f"{label} paper --format docx (board pack)": ([str(exe), "paper", "--format", "docx"], ws),
                f"{label} chase": ([str(exe), "chase"], ws),
                f"{label} trend": ([str(exe), "trend"], ws),
                f"{label} outcomes": ([str(exe), "outcomes"], ws),
                f"{label} pack --dept DWP (CSV)": ([str(exe), "pack", "--dept", "DWP"], ws),
                f"{label} import (a CSV pack)": ([str(exe), "import", str(Path(tmp) / "pack.csv")], ws),
                f"{label} check (no tracker.db, as in CI)": ([str(exe), "check"], ci),
            }
            if not folder:  # the partnership's read commands (a baseline may not know partnerships)
                commands |= {
                    f"{label} report (partnership)": ([str(exe), "report"], local),
                    f"{label} report --roll-up (partnership)": ([str(exe), "report", "--roll-up"], local),
                    f"{label} show R11 (partnership)": ([str(exe), "show", "R11"], local),
                    f"{label} chase (partnership)": ([str(exe), "chase"], local),
                    f"{label} paper (partnership)": ([str(exe), "paper"], local),
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
        row: dict[str, object] = {"command": name, "median_ms": round(median * 1000, 1), "ratio": round(median / base, 2)}
        if name.startswith("tracker") and args.baseline:
            counterpart = statistics.median(times[name.replace("tracker", "baseline", 1)])
            row["ratio_to_baseline"] = round(median / counterpart, 2)
        limit = target(name)
        if limit is not None:
            row |= {"target": limit, "met": median / base <= limit}
        rows.append(row)
    missed = [r for r in rows if r.get("met") is False]
    ok = not missed

    def verdict(r: dict[str, object]) -> str:
        return "" if "met" not in r else f"≤ {r['target']}: {'met' if r['met'] else 'NOT met'}"

    when, host = stamp(), machine()
    lines = [
        "# Start-up benchmark",
        "",
        f"{when}; {host}; {args.rounds} rounds, commands interleaved; median wall time.",
        "Run from the repository: `python bench/startup.py`"
        + (f" with `--baseline` {args.baseline}: the rows `baseline …` are that tracker's." if args.baseline else "."),
        "",
        "| command | median (ms) | ratio to sqlite-utils --help | target | ratio to the baseline |",
        "|---|---:|---:|---|---:|",
        *(
            f"| `{r['command']}` | {r['median_ms']} | {r['ratio']} | {verdict(r)} | {r.get('ratio_to_baseline', '')} |"
            for r in rows
        ),
        "",
        f"Targets: every tracker command at most {TARGET}x `sqlite-utils --help`, the board pack's HTML paper",
        f"at most {TARGETS['paper --format html (board pack)']}x and its Word paper at most "
        f"{TARGETS['paper --format docx (board pack)']}x: "
        + ("all met." if ok else "NOT met by " + ", ".join(f"`{r['command']}`" for r in missed) + "."),
        "The papers work out where every recommendation stood at each past board for the dashboard, and",
        "Word draws the chart with Pillow and writes the document's zip. The last row (a workspace with no",
        "tracker.db, so `check` reads and validates the whole YAML) is for information: it is what CI pays",
        "once per run, not what a person pays at a terminal.",
        "",
    ]
    report = "\n".join(lines)
    baseline = str(args.baseline) if args.baseline else None
    document = {"when": when, "machine": host, "rounds": args.rounds, "baseline": baseline, "target_ratio": TARGET}
    document |= {"targets": {k: v for k, v in TARGETS.items() if v is not None}}
    document |= {"results": rows, "met": ok}
    save("startup", report, document)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
