"""Status returns at scale: a synthetic workspace of 100,000 returns, measured side by side.

(a) a full rebuild of tracker.db (`tracker load --rebuild`) against PyYAML's C loader alone
    parsing the same status files, in the same run: the parser is the floor; target at most 1.5x;
(b) `tracker update` against `tracker --help` on that workspace: recording one return must not
    re-read everything; target at most 2x;
(c) the peak memory of the rebuild: target under 1 GiB;
(d) the first `tracker report` (which builds tracker.db) with every return in one status file,
    against the same number spread over 22 files, side by side: peak memory under 512 MiB and no
    slower.

    python bench/status.py [--updates 100000] [--rounds 3]

Writes bench/results/status.md and bench/results/status.json.
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

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import machine, save, stamp, timed, timed_with_memory  # noqa: E402
from synthetic import build  # noqa: E402

BIN = Path(sys.executable).parent


def parse_floor(root: Path) -> tuple[float, int]:
    started = time.perf_counter()
    count = 0
    for path in sorted((root / "status").glob("*.yaml")):
        with open(path, "rb") as f:
            count += len(yaml.load(f, Loader=yaml.CSafeLoader) or [])
    return time.perf_counter() - started, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    tracker = str(BIN / "tracker")
    if not yaml.__with_libyaml__:
        sys.exit("PyYAML was built without libyaml: the C loader is the floor this benchmark measures against")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        files = build(root, args.updates, seed=1)
        size = sum(p.stat().st_size for p in (root / "status").glob("*.yaml"))
        env = {k: v for k, v in os.environ.items() if k != "TRACKER_ROOT"} | {"TRACKER_AUTHOR": "Benchmark"}
        os.environ.clear()
        os.environ.update(env)

        floor, rebuild = [], []
        peak_kib = 0.0
        for _ in range(args.rounds):
            seconds, count = parse_floor(root)
            assert count == args.updates
            floor.append(seconds)
            seconds, peak = timed_with_memory([tracker, "load", "--rebuild"], root)
            rebuild.append(seconds)
            peak_kib = max(peak_kib, peak * 1024)

        help_times, update_times = [], []
        for i in range(10):
            help_times.append(timed([tracker, "--help"], root))
            summary = f"Benchmark return {i}"
            update_times.append(timed([tracker, "update", "9", "--dept", "DHSC", "--rag", "amber", "--summary", summary], root))
        check = subprocess.run([tracker, "load"], cwd=root, capture_output=True, text=True, check=True).stdout

        # (d) one status file against many, each report building its database from nothing: the
        # same returns, on DHSC's recommendations, filed by their owners or all in DHSC's file
        one = Path(tmp) / "one"
        build(one, args.updates, seed=1, recs_of="DHSC", one_file=True)
        one_size = (one / "status" / "DHSC.yaml").stat().st_size
        many = Path(tmp) / "many"
        many_files = build(many, args.updates, seed=1, recs_of="DHSC")
        first_report: dict[str, list[tuple[float, float]]] = {"one": [], "many": []}
        for _ in range(args.rounds):
            for name, ws in (("many", many), ("one", one)):
                (ws / "tracker.db").unlink(missing_ok=True)
                first_report[name].append(timed_with_memory([tracker, "report", "--as-of", "2025-06-30"], ws))

    rows = [
        ("PyYAML C loader, parse only", statistics.median(floor), None),
        ("tracker load --rebuild", statistics.median(rebuild), statistics.median(rebuild) / statistics.median(floor)),
        ("tracker --help", statistics.median(help_times), None),
        ("tracker update", statistics.median(update_times), statistics.median(update_times) / statistics.median(help_times)),
    ]
    one_s = statistics.median(s for s, _ in first_report["one"])
    many_s = statistics.median(s for s, _ in first_report["many"])
    one_peak = max(m for _, m in first_report["one"])
    many_peak = max(m for _, m in first_report["many"])
    rows += [
        (f"first tracker report, {many_files} status files", many_s, None),
        ("first tracker report, one status file", one_s, one_s / many_s),
    ]
    targets = {
        "rebuild": (rows[1][2], 1.5),
        "update": (rows[3][2], 2.0),
        "peak_mib": (peak_kib / 1024, 1024),
        "one_file_peak_mib": (one_peak, 512),
        "one_file_ratio": (one_s / many_s, 1.0),
    }
    met = {name: value <= limit for name, (value, limit) in targets.items()}
    when, host = stamp(), machine()
    lines = [
        "# Status returns at scale",
        "",
        f"{when}; {host}. A synthetic workspace of {args.updates:,} returns in {files} status files",
        f"({size / 2**20:.1f} MiB of YAML); medians of {args.rounds} rebuilds and of 10 updates, each side by side",
        "with its reference. Run from the repository: `python bench/status.py`.",
        "",
        "| measurement | median (s) | ratio |",
        "|---|---:|---:|",
        *(f"| {name} | {seconds:.3f} | {'' if ratio is None else f'{ratio:.2f}'} |" for name, seconds, ratio in rows),
        "",
        f"- (a) rebuild / C-loader parse: {targets['rebuild'][0]:.2f} (target at most 1.5): "
        f"{'met' if met['rebuild'] else 'NOT met'}",
        f"- (b) update / --help: {targets['update'][0]:.2f} (target at most 2): {'met' if met['update'] else 'NOT met'}",
        f"- (c) peak memory of the tracker processes: {peak_kib / 1024:.0f} MiB (target under 1024): "
        f"{'met' if met['peak_mib'] else 'NOT met'}",
        f"- after the updates: `{check.strip().split(': ', 1)[1]}`",
        f"- (d) the first report with all {args.updates:,} returns in one status file ({one_size / 2**20:.1f} MiB):"
        f" {one_s / many_s:.2f} of the time with them over their owners' {many_files} files (target at most 1): "
        f"{'met' if met['one_file_ratio'] else 'NOT met'}; peak memory {one_peak:.0f} MiB (over {many_files} files:"
        f" {many_peak:.0f} MiB; target under 512): {'met' if met['one_file_peak_mib'] else 'NOT met'}",
        f"  (each round, one file: {', '.join(f'{s:.2f}' for s, _ in first_report['one'])} s;"
        f" {many_files} files: {', '.join(f'{s:.2f}' for s, _ in first_report['many'])} s)",
        "",
    ]
    report = "\n".join(lines)
    document = {
        "when": when,
        "machine": host,
        "updates": args.updates,
        "files": files,
        "bytes": size,
        "results": [{"measurement": n, "median_s": round(s, 4), "ratio": None if r is None else round(r, 3)} for n, s, r in rows],
        "peak_mib": round(peak_kib / 1024, 1),
        "first_report_one_file": {"median_s": round(one_s, 3), "peak_mib": round(one_peak, 1), "bytes": one_size},
        "first_report_many_files": {"median_s": round(many_s, 3), "peak_mib": round(many_peak, 1)},
        "met": met,
    }
    save("status", report, document)
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
