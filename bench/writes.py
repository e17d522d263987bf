"""Writes in time independent of history: recording into a workspace of a million returns, and
importing against the parse-and-insert floor, each side by side with its reference in one run.

(a) `tracker update` and `tracker assess` against `tracker --help`, in turn, round after round (so
    machine noise hits them alike), in a synthetic workspace of --returns returns (bench/synthetic.py,
    spread over the departments' files, none over 256 MiB) whose tracker.db is built once: each
    records a new return or assessment; target at most 2x `tracker --help` (medians);
(b) `tracker import` of a CSV of --rows returns into a new workspace, against the floor: the same
    CSV parsed with the csv module and inserted with sqlite-utils in one transaction, in the same
    rounds; target at most 2x (the median of each round's ratio);
(c) shown, with no target: the peak memory of an update and an assessment at that size, and an
    update right after another program appended a return by hand to the largest status file
    (tracker reads its new end only).

    python bench/writes.py [--returns 1000000] [--rows 100000] [--rounds 10] [--import-rounds 5]
                           [--keep DIR] [--baseline OTHER_VENV/bin]

Building the workspace and its database takes a few minutes; --keep DIR keeps them there for the
next run (a run on other code rebuilds only the database). With --baseline, another installed
tracker (the code before these changes, say) is measured in the same rounds, on its own copy of
the workspace. Writes bench/results/writes.md and bench/results/writes.json.
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

from common import machine, save, stamp, timed, timed_with_memory  # noqa: E402
from synthetic import build  # noqa: E402

BIN = Path(sys.executable).parent
LIMIT = 256 * 1024 * 1024  # what tracker reads of one status file
TARGET = 2.0

# The floor for an import: the CSV parsed by the csv module and inserted by sqlite-utils, in one transaction.
FLOOR = """
import csv, sys, sqlite_utils
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    rows = list(csv.DictReader(f))
db = sqlite_utils.Database(sys.argv[2])
with db.atomic():
    db["returns"].insert_all(rows)
"""


def compiled(bin_dir: Path) -> None:
    """Compile the tracker a venv runs, as installing a wheel does: a command then starts as it
    would for its users, whatever PYTHONDONTWRITEBYTECODE says."""
    python = str(bin_dir / "python")
    where = subprocess.run([python, "-c", "import tracker; print(tracker.__path__[0])"], capture_output=True, text=True)
    subprocess.run([python, "-m", "compileall", "-q", where.stdout.strip()], check=True, capture_output=True)


def workspace(root: Path, returns: int) -> None:
    """The synthetic workspace of `returns` returns, made once."""
    if root.exists():
        return
    partial = root.with_name(root.name + ".partial")  # renamed into place once complete
    shutil.rmtree(partial, ignore_errors=True)
    files = build(partial, returns, seed=1)
    largest = max(p.stat().st_size for p in (partial / "status").glob("*.yaml"))
    if largest > LIMIT:
        sys.exit(f"a status file of {largest >> 20} MiB: over what tracker reads; spread the returns over more files")
    partial.rename(root)
    print(f"built {root}: {returns:,} returns in {files} status files", file=sys.stderr)


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--import-rounds", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="a folder to keep the workspace in, for the next run")
    parser.add_argument("--baseline", type=Path, help="the bin folder of another venv with tracker installed")
    args = parser.parse_args()
    bins = {"tracker": BIN} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    for bin_dir in bins.values():
        if not (bin_dir / "tracker").exists():
            sys.exit(f"{bin_dir / 'tracker'} not found: give the bin folder of a venv where tracker is installed")
        compiled(bin_dir)
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_ROOT"} | {"TRACKER_AUTHOR": "Benchmark"}
    os.environ.clear()
    os.environ.update(env)

    with tempfile.TemporaryDirectory() as tmp:
        keep = args.keep.resolve() if args.keep else Path(tmp)
        keep.mkdir(parents=True, exist_ok=True)
        roots = {name: keep / f"{name}-{args.returns}" for name in bins}
        load_s = {}
        for name, root in roots.items():
            workspace(root, args.returns)  # a copy of its own for each tracker: each appends to it
            started = time.perf_counter()
            subprocess.run([bins[name] / "tracker", "load"], cwd=root, check=True, capture_output=True)
            load_s[name] = time.perf_counter() - started
        yaml_bytes = sum(p.stat().st_size for p in (roots["tracker"] / "status").glob("*.yaml"))
        largest = max((roots["tracker"] / "status").glob("*.yaml"), key=lambda p: p.stat().st_size)
        largest_bytes = largest.stat().st_size
        largest_mib = largest_bytes / 2**20

        # (a) side by side, round after round, each command in turn (the order turning each round)
        times: dict[str, list[float]] = {f"{name} {what}": [] for name in bins for what in ("--help", "update", "assess")}
        for i in range(args.rounds):
            steps = []
            for name, root in roots.items():
                exe = str(bins[name] / "tracker")
                summary = f"Benchmark round {i} at {time.time():.6f}"
                steps += [
                    (f"{name} --help", [exe, "--help"], root),
                    (f"{name} update", [exe, "update", "9", "--dept", "DHSC", "--rag", "amber", "--summary", summary], root),
                    (f"{name} assess", [exe, "assess", "9", "--rag", "amber", "--summary", summary], root),
                ]
            for label, command, root in steps[i % len(steps) :] + steps[: i % len(steps)]:
                times[label].append(timed(command, root))

        # (c) memory, and an update after another program appended to the largest file
        peaks, after_hand = {}, {}
        for name, root in roots.items():
            exe = str(bins[name] / "tracker")
            summary = f"Benchmark memory at {time.time():.6f}"
            update = [exe, "update", "9", "--dept", "DHSC", "--rag", "green", "--summary", summary]
            peaks[f"{name} update"] = timed_with_memory(update, root)[1]
            peaks[f"{name} assess"] = timed_with_memory([exe, "assess", "9", "--rag", "green", "--summary", summary], root)[1]
            path = root / "status" / largest.name
            with open(path, "rb") as f:  # its last return again, in other words: valid wherever it is
                f.seek(max(0, path.stat().st_size - 8192))
                last = f.read()
            last = last[last.rindex(b"\n- ") :]
            start = last.index(b"  summary: ")
            words = f"  summary: Added by hand {time.time():.6f}".encode()
            with open(path, "ab") as f:
                f.write(b"\n" + last[:start] + words + last[last.index(b"\n", start) :])
            after_hand[name] = timed(update[:-1] + [summary + " after a hand edit"], root)
        checked = subprocess.run([bins["tracker"] / "tracker", "load"], cwd=roots["tracker"], capture_output=True, text=True)

        # (b) import, side by side with the floor, each round into new workspaces
        source = Path(tmp) / "source"
        build(source, args.rows, seed=2)
        sheet = Path(tmp) / "returns.csv"
        sheet.write_bytes(subprocess.run([BIN / "tracker", "export"], cwd=source, check=True, capture_output=True).stdout)
        imports: dict[str, list[float]] = {"floor": [], **{f"{name} import": [] for name in bins}}
        ratios: dict[str, list[float]] = {name: [] for name in bins}
        for i in range(args.import_rounds):
            steps = [("floor", [sys.executable, "-c", FLOOR, str(sheet), str(Path(tmp) / f"floor{i}.db")], Path(tmp))]
            for name in bins:
                ws = Path(tmp) / f"import-{name}-{i}"
                subprocess.run([bins[name] / "tracker", "init", str(ws)], check=True, capture_output=True)
                subprocess.run([bins[name] / "tracker", "load"], cwd=ws, check=True, capture_output=True)
                steps.append((f"{name} import", [str(bins[name] / "tracker"), "import", str(sheet)], ws))
            this = {}
            for label, command, cwd in steps[i % len(steps) :] + steps[: i % len(steps)]:
                this[label] = timed(command, cwd)
                imports[label].append(this[label])
            for name in bins:
                ratios[name].append(this[f"{name} import"] / this["floor"])
            for name in bins:
                shutil.rmtree(Path(tmp) / f"import-{name}-{i}")

    help_s = {name: median(times[f"{name} --help"]) for name in bins}
    rows = []
    for name in bins:
        for what in ("--help", "update", "assess"):
            seconds = median(times[f"{name} {what}"])
            rows.append((f"{name} {what}", seconds, None if what == "--help" else seconds / help_s[name]))
    update_ratio = median(times["tracker update"]) / help_s["tracker"]
    assess_ratio = median(times["tracker assess"]) / help_s["tracker"]
    import_ratio = median(ratios["tracker"])
    met = {"update": update_ratio <= TARGET, "assess": assess_ratio <= TARGET, "import": import_ratio <= TARGET}
    verdict = {True: "met", False: "NOT met"}
    when, host = stamp(), machine()
    label = {"tracker": "tracker", "baseline": f"baseline ({args.baseline})"}
    lines = [
        "# Writes at scale",
        "",
        f"{when}; {host}. A synthetic workspace of {args.returns:,} returns ({yaml_bytes / 2**20:.0f} MiB of YAML; the largest",
        f"file, {largest.name}, {largest_mib:.0f} MiB) with its tracker.db built once"
        f" ({', '.join(f'{label[n]}: {s:.0f} s' for n, s in load_s.items())});",
        f"medians of {args.rounds} rounds, each command in turn. Run from the repository: `python bench/writes.py`"
        + (f" (with `--baseline {args.baseline}`)." if args.baseline else "."),
        "",
        "| measurement | median (s) | / --help |",
        "|---|---:|---:|",
        *(f"| {name} | {seconds:.3f} | {'' if ratio is None else f'{ratio:.2f}'} |" for name, seconds, ratio in rows),
        "",
        f"- (a) update / --help: {update_ratio:.2f} (target at most {TARGET:g}): {verdict[met['update']]}",
        f"- (a) assess / --help: {assess_ratio:.2f} (target at most {TARGET:g}): {verdict[met['assess']]}",
        "",
        f"Import of {args.rows:,} returns from one CSV into a new workspace, against the floor (the CSV parsed with the",
        f"csv module and inserted with sqlite-utils in one transaction), side by side in {args.import_rounds} rounds:",
        "",
        "| measurement | median (s) | median of each round's ratio to the floor |",
        "|---|---:|---:|",
        f"| floor: csv + sqlite-utils, in one transaction | {median(imports['floor']):.2f} | |",
        *(f"| {name} import | {median(imports[f'{name} import']):.2f} | {median(ratios[name]):.2f} |" for name in bins),
        "",
        f"- (b) import / floor: {import_ratio:.2f} (target at most {TARGET:g}): {verdict[met['import']]}",
        f"  (each round: {', '.join(f'{r:.2f}' for r in ratios['tracker'])})",
        f"- (c) peak memory: {', '.join(f'{name} {mib:.0f} MiB' for name, mib in peaks.items())}",
        f"- (c) an update right after another program appended a return to {largest.name}: "
        + ", ".join(f"{name} {s:.2f} s" for name, s in after_hand.items())
        + " (tracker hashes the file to see that only its end is new, and parses that end)",
        f"- after the run: `{checked.stdout.strip().split(': ', 1)[-1] or checked.stderr.strip()}`",
        "",
    ]
    document = {
        "when": when,
        "machine": host,
        "returns": args.returns,
        "yaml_bytes": yaml_bytes,
        "largest_file": {"name": largest.name, "bytes": largest_bytes},
        "rounds": args.rounds,
        "load_s": {n: round(s, 2) for n, s in load_s.items()},
        "results": [{"measurement": n, "median_s": round(s, 4), "ratio": None if r is None else round(r, 3)} for n, s, r in rows],
        "import": {
            "rows": args.rows,
            "rounds": args.import_rounds,
            "median_s": {n: round(median(v), 3) for n, v in imports.items()},
            "ratios": {n: [round(r, 3) for r in v] for n, v in ratios.items()},
        },
        "peak_mib": {n: round(m, 1) for n, m in peaks.items()},
        "update_after_hand_edit_s": {n: round(s, 3) for n, s in after_hand.items()},
        "targets": {"update": round(update_ratio, 3), "assess": round(assess_ratio, 3), "import": round(import_ratio, 3)},
        "met": met,
    }
    save("writes", "\n".join(lines), document)
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
