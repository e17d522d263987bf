"""The listing and the report as CSV, for spreadsheets. Pure, no printing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from tracker.domain.board import ActionState
from tracker.domain.recommendations import Dataset, Recommendation
from tracker.domain.standing import RollUp, Standing
from tracker.domain.values import iso

from .jsonout import owner_dicts
from .text import spreadsheet_cell

RECOMMENDATION_COLUMNS = ["number", "section", "title", "lead", "support", "deadline", "deadline_words"]
REPORT_COLUMNS = [
    "number", "title", "section", "rag", "departments_rag", "board_rag", "board_date", "deadline", "target_date",
    "overdue", "dept", "role", "reports_via", "owner_rag", "last_rag", "last_update", "stale", "trend", "awaiting",
    "board_evidence_date",
]  # fmt: skip


# A spreadsheet reads CSV as UTF-8 only if it starts with UTF-8's byte-order mark (LibreOffice showed
# £552m as Â£552m without it); tracker import reads it with or without.
BOM = "\ufeff"


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV under `header`, every cell safe for a spreadsheet, after a byte-order mark."""
    buf = io.StringIO(BOM)
    buf.seek(0, io.SEEK_END)
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([spreadsheet_cell(cell) for cell in row] for row in rows)
    return buf.getvalue()


def recommendations_csv(data: Dataset, recs: Iterable[Recommendation], today: date) -> str:
    def row(rec: Recommendation) -> list[object]:
        owners = owner_dicts(data, rec, today)
        lead = " ".join(o["dept"] for o in owners if o["role"] == "lead")
        support = " ".join(o["dept"] for o in owners if o["role"] != "lead")
        deadline = rec.deadline
        return [
            rec.shown,
            section_text(rec.section),
            rec.title,
            lead,
            support,
            iso(deadline.date) if deadline else "",
            deadline.words if deadline else "",
        ]

    return csv_text(RECOMMENDATION_COLUMNS, (row(rec) for rec in recs))


def report_csv(standings: Sequence[Standing]) -> str:
    """The report for spreadsheets: a row per owner of each recommendation."""

    def yes(flag: bool) -> str:
        return "yes" if flag else "no"

    return csv_text(
        REPORT_COLUMNS,
        (
            [s.rec.shown, s.rec.title, section_text(s.rec.section), s.rag.value, s.departments_rag.value]
            + ([s.assessment.rag.value, s.assessment.date.isoformat()] if s.assessment else ["", ""])
            + [iso(s.deadline) or "", iso(s.target_date) or "", yes(s.overdue), o.dept, o.role, o.via or "", o.rag.value]
            + [o.last_rag.value if o.last_rag else "", iso(o.latest.date if o.latest else None) or "", yes(o.stale)]
            + [o.trend or "", " ".join(s.awaiting), (s.assessment.evidence_date or "") if s.assessment else ""]
            for s in standings
            for o in s.owners
        ),
    )


ACTION_COLUMNS = ["ref", "raised", "text", "owner", "due", "status", "overdue", "note", "changed", "recommendations"]


def actions_csv(states: Sequence[ActionState], day: date, data: Dataset | None = None) -> str:
    """The actions log for spreadsheets: a row per action as it stands on `day`."""
    return csv_text(
        ACTION_COLUMNS,
        (
            [s.action.ref, s.action.raised.isoformat(), s.action.text, s.owner, iso(s.due) or "", s.status]
            + [
                "yes" if s.overdue(day) else "no",
                s.note or "",
                s.changed.isoformat(),
                " ".join(data.ref_of(n) if data is not None else str(n) for n in s.action.recommendations),
            ]
            for s in states
        ),
    )


def section_text(section: str) -> str:
    """A section as a spreadsheet keeps it as text: §3.10, which no spreadsheet reads as the number
    3.1 (the same as section 3.1's)."""
    return f"§{section}" if section else ""


def roll_up_csv(rows: Sequence[RollUp]) -> str:
    """A row per delivering item under each recommendation, with the recommendation's rolled-up rating."""
    buf = io.StringIO(BOM)
    buf.seek(0, io.SEEK_END)
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["ref", "title", "rolled_up_rag", "item", "item_title", "item_rag"])
    for r in rows:
        for s in r.items:
            writer.writerow(
                [spreadsheet_cell(v) for v in (r.rec.shown, r.rec.title, r.rag.value, s.rec.shown, s.rec.title, s.rag.value)]
            )
    return buf.getvalue()
