"""The chase list: who owes returns for the next board, as text, markdown, CSV or JSON. Pure."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.domain.recommendations import Dataset
from tracker.domain.standing import OwnerStanding, Standing

from .csvout import _csv
from .paper import md
from .plain import count, table


@dataclass(frozen=True)
class Owed:
    """One return a department owes: on which recommendation, in which roles, for whom. One return
    answers for all its owners there: itself, and the bodies it reports via (DWP for Jobcentre Plus)."""

    standing: Standing
    owners: tuple[OwnerStanding, ...]

    @property
    def owner(self) -> OwnerStanding:
        """The owner the department is first of all (its own role before one it reports for)."""
        return self.owners[0]

    @property
    def role(self) -> str:
        # "support for JCP": the department reports for a body that cannot make returns itself.
        return "; ".join(f"{o.role} for {o.dept}" if o.via else o.role for o in self.owners)

    @classmethod
    def grouped(cls, items: Sequence[tuple[Standing, OwnerStanding]]) -> list[Owed]:
        by_number: dict[int, list[tuple[Standing, OwnerStanding]]] = {}
        for s, o in items:
            by_number.setdefault(s.rec.number, []).append((s, o))
        return [
            cls(pairs[0][0], tuple(sorted((o for _, o in pairs), key=lambda o: o.via is not None)))
            for _, pairs in sorted(by_number.items())
        ]

    def days_ago(self, by: date) -> int | None:
        return (by - self.owner.latest.date).days if self.owner.latest is not None else None

    def last(self) -> str:
        o = self.owner
        return f"{o.latest.date} {o.latest.rag.word}" if o.latest is not None else "none yet"


def chase_text(by: date, owed: dict[str, list[Owed]], window: int, width: int) -> str:
    head = f"Returns owed for the board on {by}: no return in the {window} days before it.\n\n"
    if not owed:
        return head + "Nobody owes a return.\n"
    rows = []
    for code, items in owed.items():
        for i, item in enumerate(items):
            days = item.days_ago(by)
            rows.append(
                [
                    code if i == 0 else "",
                    str(item.standing.rec.number),
                    item.standing.rec.title,
                    item.role,
                    item.last(),
                    "" if days is None else str(days),
                ]
            )
    laid = table(["Dept", "#", "Recommendation", "Role", "Last return", "Days ago"], rows, width, flex=2, right=[1, 5])
    returns = sum(len(items) for items in owed.values())
    return head + laid + f"\n{count(len(owed), 'department')} owe{'s' if len(owed) == 1 else ''} {count(returns, 'return')}.\n"


def chase_csv(by: date, owed: dict[str, list[Owed]]) -> str:
    header = ["dept", "number", "title", "role", "target_date", "last_update", "last_rag", "days_ago", "by"]
    return _csv(
        header,
        (
            [code, item.standing.rec.number, item.standing.rec.title, item.role]
            + [str(item.standing.target_date or ""), str(item.owner.latest.date) if item.owner.latest else ""]
            + [item.owner.latest.rag.value if item.owner.latest else "", item.days_ago(by) if item.owner.latest else ""]
            + [by.isoformat()]
            for code, items in owed.items()
            for item in items
        ),
    )


def chase_document(by: date, owed: dict[str, list[Owed]], data: Dataset) -> dict[str, Any]:
    return {
        "by": by.isoformat(),
        "departments": [
            {
                "dept": code,
                "name": data.registry.departments[code].name,
                "owes": [
                    {
                        "number": item.standing.rec.number,
                        "title": item.standing.rec.title,
                        "roles": [{"role": o.role, "for": o.dept if o.via else None} for o in item.owners],
                        "target_date": str(item.standing.target_date) if item.standing.target_date else None,
                        "last_update": str(item.owner.latest.date) if item.owner.latest else None,
                        "last_rag": item.owner.latest.rag.value if item.owner.latest else None,
                        "days_ago": item.days_ago(by),
                        "last_summary": item.owner.latest.summary if item.owner.latest else None,
                    }
                    for item in items
                ],
            }
            for code, items in owed.items()
        ],
    }


def chase_request(by: date, code: str, items: Sequence[Owed], data: Dataset, meeting: bool = True) -> str:
    """A ready-to-send request to one department, in markdown. Without a `meeting` date (none
    given, none ahead in the board's block) it asks for the returns before the next board."""
    when = f"by **{by}**, for its meeting" if meeting else "before its next meeting"
    name = data.registry.departments[code].name
    board = data.board.name or "The board"
    out = [
        f"# Returns requested from {md(name)} ({md(code)})",
        "",
        f"{md(board)} asks {md(name)} for a return on each of the {count(len(items), 'recommendation')} below"
        f" {when}. Each return is a rating (red, amber, green or complete), a short"
        " summary of what has been done, links to the evidence, and, from a lead whose target date has"
        " moved, the revised date and the reason.",
        "",
    ]
    rows = [
        [
            str(item.standing.rec.number),
            md(item.standing.rec.title),
            md(item.role),
            str(item.standing.target_date or "none"),
            item.last(),
        ]
        for item in items
    ]
    out += ["| # | Recommendation | Role | Target date | Last return |", "| ---: | --- | --- | --- | --- |"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    out += ["", "## What you last told the board", ""]
    for item in items:
        latest = item.owner.latest
        said = f"\u201c{md(latest.summary)}\u201d" if latest is not None else "No return yet."
        out.append(f"- **{item.standing.rec.number}. {md(item.standing.rec.title)}**: {said}")
    out += [
        "",
        "## How to reply",
        "",
        *textwrap.wrap(
            "Fill in the return pack sent with this request (one row per recommendation above: the date, the"
            " rating, the summary, any evidence links, and any revised target date with its reason), and send"
            f" it back to the board secretariat {'by ' + str(by) if meeting else 'before the meeting'}. Leave a"
            " row empty if there is nothing to report on it.",
            100,
        ),
        "",
        f"(The secretariat makes the pack with `tracker pack --dept {code} --out {code}-returns.xlsx` and"
        " records it with `tracker import`.)",
    ]
    return "\n".join(out) + "\n"
