"""The national roll-up at the size of England: `tracker gather` over 104 partnership workspaces of
200 local actions each, with 8 quarters of returns (one per lead per action per quarter: 166,400).

Measures gather's wall time and the peak memory of its process (each round from the YAML: nothing
is cached between rounds), against reading the same workspaces one by one with `tracker check`
(the floor any gather reading every file with every rule meets), side by side, round by round.

Target: gather well under a minute (at most 30 s) and under 512 MiB.

    python bench/gather.py [--partnerships 104] [--items 200] [--quarters 8] [--rounds 3] [--keep DIR]

Writes bench/results/gather.md and bench/results/gather.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import machine, save, stamp, timed_with_memory  # noqa: E402
from partnerships import AS_OF, build  # noqa: E402

BIN = Path(sys.executable).parent


def check_all(tracker: str, folders: list[Path]) -> float:
    """Wall time of `tracker check` in every workspace, one after another (each without tracker.db)."""
    started = time.perf_counter()
    for folder in folders:
        subprocess.run([tracker, "--root", str(folder), "check"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


# Where gather's time goes: each part's cumulative time, under cProfile, as a share of the whole.
PARTS = {
    "reading status files (YAML, checked, loaded)": ("sync.py", "_load_status_file_into"),
    "reading the review and the plan": ("loading.py", "load_dataset"),
    "standings for who owes returns": ("gathering.py", "_late"),
    "copying the tables into the national database": ("national.py", "copy_workspace"),
}


def where_the_time_goes(listed: Path, out: Path) -> dict[str, float]:
    import cProfile
    import pstats
    from datetime import date

    from tracker.gathering import gather, read_list

    profile = cProfile.Profile()
    profile.enable()
    gather(read_list(listed), out, date.fromisoformat(AS_OF))
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    whole = sum(c for (f, _, name), (_, _, _, c, _) in stats.items() if name == "gather" and f.endswith("gathering.py"))
    return {
        part: sum(c for (f, _, n), (_, _, _, c, _) in stats.items() if f.endswith(file) and n == name) / whole
        for part, (file, name) in PARTS.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=104)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--quarters", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Build the workspaces here and keep them (default: a temporary folder).")
    args = parser.parse_args()
    tracker = str(BIN / "tracker")
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_ROOT"} | {"TRACKER_TODAY": AS_OF}
    os.environ.clear()
    os.environ.update(env)

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp) / "partnerships"
        started = time.perf_counter()
        listed, returns = build(folder, args.partnerships, args.items, args.quarters)
        built = time.perf_counter() - started
        folders = sorted(p for p in folder.iterdir() if (p / "recommendations.yaml").is_file())
        size = sum(f.stat().st_size for p in folders for f in p.rglob("*.yaml"))
        out = Path(tmp) / "national.db"
        gathers: list[tuple[float, float]] = []
        checks: list[float] = []
        for _ in range(args.rounds):
            gathers.append(timed_with_memory([tracker, "gather", "--list", str(listed), "--out", str(out)], Path(tmp)))
            checks.append(check_all(tracker, folders))
        summary = json.loads(
            subprocess.run(
                [tracker, "gather", "--list", str(listed), "--out", str(out), "--format", "json"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        database = out.stat().st_size
        shares = where_the_time_goes(listed, Path(tmp) / "profiled.db")
    assert summary["returns"] == returns and len(summary["partnerships"]) == args.partnerships, summary["returns"]

    seconds = statistics.median(s for s, _ in gathers)
    peak = max(m for _, m in gathers)
    floor = statistics.median(checks)
    met = {"seconds": seconds <= 30, "peak_mib": peak < 512}
    when, host = stamp(), machine()
    lines = [
        "# The national roll-up: tracker gather",
        "",
        f"{when}; {host}. {args.partnerships} synthetic partnership workspaces (bench/partnerships.py, built in"
        f" {built:.1f} s), each of {args.items} local actions delivering one or two national recommendations, with"
        f" {args.quarters} quarters of returns: {returns:,} returns, {size / 2**20:.1f} MiB of YAML. Medians of"
        f" {args.rounds} rounds, gather and its reference side by side in each. Run from the repository:"
        " `python bench/gather.py`.",
        "",
        "| measurement | median (s) | peak memory (MiB) |",
        "|---|---:|---:|",
        f"| tracker gather, {args.partnerships} workspaces into one database | {seconds:.2f} | {peak:.0f} |",
        f"| tracker check in each workspace, one after another (reference) | {floor:.2f} | |",
        "",
        f"- gather: {seconds:.1f} s (target at most 30): {'met' if met['seconds'] else 'NOT met'};"
        f" {seconds / floor:.2f} of checking every workspace in turn",
        f"- peak memory of the gather process: {peak:.0f} MiB (target under 512): {'met' if met['peak_mib'] else 'NOT met'}",
        f"- the national database: {database / 2**20:.0f} MiB; {summary['items']:,} local items,"
        f" {summary['returns']:,} returns, {sum(p['late'] for p in summary['partnerships']):,} owners owing returns",
        f"  (each round, gather: {', '.join(f'{s:.2f}' for s, _ in gathers)} s;"
        f" check: {', '.join(f'{s:.2f}' for s in checks)} s)",
        "",
        "Where the time goes (one more gather, under cProfile, in the benchmark's process):",
        "",
        "| part | share |",
        "|---|---:|",
        *(f"| {part} | {share:.0%} |" for part, share in shares.items()),
        "",
    ]
    report = "\n".join(lines)
    document = {
        "when": when,
        "machine": host,
        "partnerships": args.partnerships,
        "items": args.items,
        "quarters": args.quarters,
        "returns": returns,
        "yaml_bytes": size,
        "database_bytes": database,
        "gather": {"median_s": round(seconds, 3), "rounds_s": [round(s, 3) for s, _ in gathers], "peak_mib": round(peak, 1)},
        "check_each": {"median_s": round(floor, 3), "rounds_s": [round(s, 3) for s in checks]},
        "where_the_time_goes": {part: round(share, 3) for part, share in shares.items()},
        "met": met,
    }
    save("gather", report, document)
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
