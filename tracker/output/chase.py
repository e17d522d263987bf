"""The chase list: who owes returns for the next board, as text, markdown, CSV or JSON. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from tracker.domain.recommendations import Dataset, Words
from tracker.domain.standing import OwnerStanding, Standing

from .document import Block, Heading, Items, Line, Paper, Para, Strong, Table, plain
from .plain import table
from .text import count


class Owed(NamedTuple):
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

    def days_ago(self, today: date) -> int | None:
        """How long ago its last return was made, counted from today."""
        return (today - self.owner.latest.date).days if self.owner.latest is not None else None

    def last(self) -> str:
        o = self.owner
        return f"{o.latest.date} {o.latest.rag.word}" if o.latest is not None else "none yet"


def chase_text(
    by: date,
    owed: dict[str, list[Owed]],
    window: int,
    width: int,
    today: date,
    meeting: bool = True,
    due: date | None = None,
    words: Words | None = None,
) -> str:
    """The chase list; `due`, the returns deadline for the meeting on `by` (the window is counted to it)."""
    due = due or by
    when = (
        f"by {due} for the board on {by}: no return in the {window} days to {due}{', nor since' if due < today else ''}"
        if meeting
        else f"by {by}: no return in the {window} days before it"
    )
    head = f"Returns owed {when}. Days ago: counted from {today}.\n\n"
    if not owed:
        return head + "Nobody owes a return.\n"
    rows = []
    for code, items in owed.items():
        for i, item in enumerate(items):
            days = item.days_ago(today)
            rows.append(
                [
                    code if i == 0 else "",
                    item.standing.rec.shown,
                    item.standing.rec.title,
                    item.role,
                    item.last(),
                    "" if days is None else str(days),
                ]
            )
    noun, owner = (words.item, words.owner) if words else ("recommendation", "department")
    headers = ["Dept" if owner == "department" else "Owner", "#", noun.capitalize(), "Role", "Last return", "Days ago"]
    laid = table(headers, rows, width, flex=2, right=[1, 5])
    returns = sum(len(item.owners) for items in owed.values() for item in items)
    owing = count(len(owed), owner, "bodies" if owner == "body" else None)
    return head + laid + f"\n{owing} owe{'s' if len(owed) == 1 else ''} {count(returns, 'return')}.\n"


def chase_csv(by: date, owed: dict[str, list[Owed]], today: date) -> str:
    """A row per return owed; `by`, the date it is due."""
    from .csvout import csv_text

    header = ["dept", "number", "title", "role", "target_date", "last_update", "last_rag", "days_ago", "by"]
    return csv_text(
        header,
        (
            [code, item.standing.rec.shown, item.standing.rec.title, item.role]
            + [str(item.standing.target_date or ""), str(item.owner.latest.date) if item.owner.latest else ""]
            + [item.owner.latest.rag.value if item.owner.latest else "", item.days_ago(today) if item.owner.latest else ""]
            + [by.isoformat()]
            for code, items in owed.items()
            for item in items
        ),
    )


def chase_document(by: date, owed: dict[str, list[Owed]], data: Dataset, today: date, due: date | None = None) -> dict[str, Any]:
    return {
        "by": by.isoformat(),
        "returns_by": (due or by).isoformat(),
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
                        "days_ago": item.days_ago(today),
                        "last_summary": item.owner.latest.summary if item.owner.latest else None,
                    }
                    for item in items
                ],
            }
            for code, items in owed.items()
        ],
    }


def _long(day: date) -> str:
    """14 January 2027, as a letter writes a date (in English, whatever the machine's locale)."""
    from tracker.domain.values import long_date

    return long_date(day)


def chase_letter(
    by: date,
    code: str,
    items: Sequence[Owed],
    data: Dataset,
    meeting: bool = True,
    due: date | None = None,
    today: date | None = None,
) -> Paper:
    """A ready-to-send request to one department, as a document any format can render. Without a
    `meeting` date (none given, none ahead in the board's block) it asks for the returns before the
    next board."""
    # Every piece of user text as one plain line, as the paper has it: a newline cannot add a bullet.
    name = plain(data.registry.departments[code].name)
    board = plain(data.board.name) if data.board.name else "The board"
    due = due or by  # the returns deadline for the meeting on `by`
    late = meeting and today is not None and due < today  # written after the deadline: as soon as they can
    when: Line
    if not meeting:
        when = ("before its next meeting",)
    elif late:
        when = ("as soon as you can (they were due by ", Strong(_long(due)), f"), for its meeting on {_long(by)}")
    else:
        when = ("by ", Strong(_long(due)), f", for its meeting on {_long(by)}")
    returns = sum(len(item.owners) for item in items)
    also = f" ({returns} returns in all: some are for bodies you report for)" if returns != len(items) else ""
    blocks: list[Block] = [
        Para(
            (
                f"{board} asks {name} for returns on the {data.words.counted(len(items))} below{also} ",
                *when,
                ". Each return is a rating (red, amber, green or complete), a short summary of what has been done,"
                " links to the evidence, and, from a lead whose target date has moved, the revised date and the reason.",
            )
        ),
        Table(
            ("#", data.words.item.capitalize(), "Role", "Target date", "Last return"),
            tuple(
                (
                    (item.standing.rec.shown,),
                    (plain(item.standing.rec.title),),
                    (item.role,),
                    (_long(item.standing.target_date) if item.standing.target_date else "none",),
                    (item.last(),),
                )
                for item in items
            ),
            "r",
        ),
    ]
    said = [(item, o) for item in items for o in item.owners if o.latest is not None]
    if said:
        heard: list[tuple[Line, Line | None]] = []
        for item, o in said:
            assert o.latest is not None
            whose = f"{o.dept}'s" if o.via else "Yours"
            heard.append(
                (
                    (
                        Strong(f"{item.standing.rec.shown}. {plain(item.standing.rec.title)}"),
                        f" ({whose}, {_long(o.latest.date)}, {o.latest.rag.word}): \u201c{plain(o.latest.summary)}\u201d",
                    ),
                    None,
                )
            )
        blocks += [Heading(2, "What the board last heard"), Items(tuple(heard))]
    deadline = "as soon as you can" if late else f"by {_long(due)}" if meeting else "before the meeting"
    blocks += [
        Heading(2, "How to reply"),
        Para(
            (
                "Fill in the return pack sent with this request (one row per return: the date, the rating, the"
                " summary, any evidence links, and any revised target date with its reason), and send it back to"
                f" the board secretariat {deadline}. Leave a row empty if there is nothing to report on it.",
            )
        ),
    ]
    by_whom = plain(data.board.author or data.board.name) if data.board.author or data.board.name else None
    marking = plain(data.board.classification) if data.board.classification else None
    return Paper(f"Returns requested from {name} ({code})", None, tuple(blocks), marking, by_whom)
