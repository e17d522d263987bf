"""Build synthetic partnership workspaces, as `tracker init --partnership` starts them: the national
review kept for reference, a local delivery plan of N actions each delivering one or two national
recommendations, and one return per lead per action per quarter from the local bodies.

    python bench/partnerships.py DIR [--partnerships 104] [--items 200] [--quarters 8] [--seed 1]

DIR gets one folder per partnership and a list of them, workspaces.txt, for `tracker gather --list`.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tracker.domain.rating import RETURN_RATINGS  # noqa: E402
from tracker.domain.returns import Entry  # noqa: E402
from tracker.loading import partnership_files  # noqa: E402
from tracker.yamlio.blocks import appended, file_header, return_block  # noqa: E402

BODIES = ("CPH", "POLICE", "OPCC", "PDU", "LICB", "TREAT", "HOUSING", "JCPD", "PRISON")
WORDS = (
    "commissioning partnership treatment recovery workforce funding grant plan review data housing employment "
    "prison probation outcomes pilot evaluation guidance consultation delivery board local naloxone outreach"
).split()
# The quarters' ends the returns are dated in: eight quarters up to the end of March 2026.
QUARTER_ENDS = [date(2024, 6, 28), date(2024, 9, 27), date(2024, 12, 20), date(2025, 3, 28)]
QUARTER_ENDS += [date(2025, 6, 27), date(2025, 9, 26), date(2025, 12, 19), date(2026, 3, 27)]
AS_OF = "2026-04-30"
MADE_ON = date(2024, 4, 1)


def _words(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize()


def build_one(root: Path, name: str, items: int, quarters: int, seed: int) -> int:
    """Write one partnership's workspace; the number of returns written."""
    rng = random.Random(seed)
    files = partnership_files(name, MADE_ON)
    plan = files["sources/plan.yaml"].decode("utf-8")
    actions, leads = [], []
    for i in range(1, items + 1):
        lead, support = rng.sample(BODIES, 2)
        delivers = sorted(rng.sample(range(1, 33), rng.randint(1, 2)))
        owners = f"      - dept: {lead}\n        role: lead\n"
        if rng.random() < 0.5:
            owners += f"      - dept: {support}\n        role: support\n"
        theme = 1 + (i - 1) * 5 // items
        actions.append(
            f"  - ref: CP-{i}\n"
            f'    section: "{theme}"\n'
            f"    section_title: Priority {theme}\n"
            f"    title: {_words(rng, 3, 6)}\n"
            f"    text: {_words(rng, 12, 30)}.\n"
            f"    owners:\n{owners}"
            f"    deadline:\n      words: by March 2026\n      date: 2026-03-31\n"
            f"    delivers: [{', '.join(f'R{n}' for n in delivers)}]\n"
        )
        leads.append((f"CP-{i}", lead))
    plan = plan.replace("items: []\n", "items:\n" + "".join(actions))
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "status").mkdir(exist_ok=True)
    (root / "recommendations.yaml").write_bytes(files["recommendations.yaml"])
    (root / "sources" / "plan.yaml").write_text(plan, encoding="utf-8")
    by_body: dict[str, list[str]] = {}
    refs = {i: ref for i, (ref, _) in enumerate(leads, start=1)}
    for day in QUARTER_ENDS[-quarters:]:
        for i, (_, lead) in enumerate(leads, start=1):
            entry = Entry(i, lead, day, rng.choice(RETURN_RATINGS), _words(rng, 8, 20) + ".", "Partnership lead")
            by_body.setdefault(lead, []).append(return_block(entry, refs=refs))
    for body, blocks in by_body.items():
        raw, _ = appended(None, file_header(body, body), blocks)
        (root / "status" / f"{body}.yaml").write_bytes(raw)
    return sum(len(b) for b in by_body.values())


def build(folder: Path, partnerships: int, items: int, quarters: int, seed: int = 1) -> tuple[Path, int]:
    """Write `partnerships` workspaces into `folder` and workspaces.txt listing them; the list and
    the number of returns written."""
    folder.mkdir(parents=True, exist_ok=True)
    names, returns = [], 0
    for n in range(1, partnerships + 1):
        names.append(f"p{n:03d}")
        returns += build_one(folder / names[-1], f"Partnership {n:03d}", items, quarters, seed * 1000 + n)
    listed = folder / "workspaces.txt"
    listed.write_text("# synthetic partnerships (bench/partnerships.py)\n" + "".join(f"{n}\n" for n in names), encoding="utf-8")
    return listed, returns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--partnerships", type=int, default=104)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--quarters", type=int, default=8, choices=range(1, len(QUARTER_ENDS) + 1))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    listed, returns = build(args.dir, args.partnerships, args.items, args.quarters, args.seed)
    print(f"{args.partnerships} partnerships, {returns:,} returns; listed in {listed}")


if __name__ == "__main__":
    main()
