"""Plain output: JSON documents, CSV rows, plain listings and CI annotations. Pure, no printing."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from . import columns
from .domain import Dataset, Department, Problem, Recommendation, Registry, plain, succession
from .updates import Entry, StatusUpdate, returns_by_owner

if TYPE_CHECKING:
    from .status import RecommendationStatus


def to_json(document: object) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def owner_dicts(data: Dataset, rec: Recommendation, today: date) -> list[dict[str, Any]]:
    out = []
    for owner in rec.owners:
        s = succession(data.registry, owner.dept, data.review.published, today)
        out.append(
            {
                "dept": s.current.code,
                "name": s.current.name,
                "named_as": owner.dept,
                "name_when_made": s.name_then,
                "changes": list(s.changes),
                "role": owner.role,
                "basis": owner.basis,
                "note": owner.note,
            }
        )
    return out


def recommendation_dict(
    data: Dataset, rec: Recommendation, today: date, updates: list[StatusUpdate] | None = None
) -> dict[str, Any]:
    """A recommendation for JSON; with `updates`, its full record and each owner's returns."""
    d: dict[str, Any] = {
        "number": rec.number,
        "section": rec.section,
        "section_title": rec.section_title,
        "title": rec.title,
        "deadline": rec.deadline.date.isoformat() if rec.deadline else None,
        "deadline_words": rec.deadline.words if rec.deadline else None,
        "owners": owner_dicts(data, rec, today),
    }
    if updates is not None:
        history = dict(returns_by_owner(rec, data.registry, updates, today))
        for owner in d["owners"]:
            owner["returns"] = [return_dict(entry) for entry in history.get(owner["dept"], [])]
        d["text"] = rec.text
        d["addressed_to"] = rec.addressed_to
        d["deadline_reasoning"] = rec.deadline.reasoning if rec.deadline else None
        d["links"] = list(rec.links)
        d["responses"] = [plain(p) for p in rec.responses]
    return d


def return_dict(entry: Entry) -> dict[str, Any]:
    u = entry.update
    return {
        "date": u.date.isoformat(),
        "rag": u.rag.value,
        "previous_rag": entry.previous.value if entry.previous else None,
        "trend": entry.trend,
        "summary": u.summary,
        "author": u.author,
        "evidence": list(u.evidence),
        "target_date": u.target_date.isoformat() if u.target_date else None,
        "reason": u.reason,
        "filed_as": u.dept,
        "file": u.file,
        "line": u.line,
    }


def department_dict(data: Dataset, dept: Department, today: date) -> dict[str, Any]:
    return {
        "code": dept.code,
        "name": dept.name,
        "part_of": dept.part_of,
        "aliases": list(dept.aliases),
        "history": [
            {"date": e.date.isoformat(), "event": e.event, "from": e.from_name, "to": e.to_name, "into": e.into, "note": e.note}
            for e in dept.history
        ],
        "current": data.registry.current(dept.code, today).code,
        "lead": [r.number for r in data.recommendations for o in r.owners if o.dept == dept.code and o.role == "lead"],
        "support": [r.number for r in data.recommendations for o in r.owners if o.dept == dept.code and o.role != "lead"],
    }


CSV_COLUMNS = ["number", "section", "title", "lead", "support", "deadline", "deadline_words"]


def recommendations_csv(data: Dataset, recs: Iterable[Recommendation], today: date) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for rec in recs:
        owners = owner_dicts(data, rec, today)
        writer.writerow(
            [
                rec.number,
                rec.section,
                rec.title,
                " ".join(o["dept"] for o in owners if o["role"] == "lead"),
                " ".join(o["dept"] for o in owners if o["role"] != "lead"),
                rec.deadline.date.isoformat() if rec.deadline else "",
                rec.deadline.words if rec.deadline else "",
            ]
        )
    return buf.getvalue()


def problem_dict(p: Problem, fatal: bool = False) -> dict[str, Any]:
    return {
        "file": p.file,
        "line": p.line,
        "recommendation": p.recommendation,
        "field": p.field,
        "message": p.message,
        "fatal": fatal,
    }


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github_annotation(p: Problem) -> str:
    """A GitHub Actions workflow command that shows the problem on the pull request's diff."""
    props = [f"file={_escape_property(p.file)}"]
    if p.line:
        props.append(f"line={p.line}")
    props.append("title=" + _escape_property("tracker check"))
    return f"::error {','.join(props)}::{_escape_data(p.detail())}"


def recommendations_listing(data: Dataset, recs: Iterable[Recommendation], today: date, width: int) -> str:
    """The `tracker list` table: a line or a few per recommendation, titles wrapped to `width`."""
    registry = data.registry
    rows = [
        [
            str(rec.number),
            rec.section,
            rec.title,
            ", ".join(_code_today(registry, o.dept, today) for o in rec.leads),
            ", ".join(_code_today(registry, o.dept, today) for o in rec.owners if o.role != "lead"),
            rec.deadline.date.isoformat() if rec.deadline else "none",
        ]
        for rec in recs
    ]
    if not rows:
        return "No recommendations match.\n"
    headers = ["#", "Sec", "Title", "Lead", "Support", "Deadline"]
    return columns.table(headers, rows, width, flex=2, caps={3: 16, 4: 16}, right=[0])


def _code_today(registry: Registry, code: str, today: date) -> str:
    current = registry.current(code, today).code
    return code if current == code else f"{current} (was {code})"


def recorded(data: Dataset, update: StatusUpdate) -> str:
    """What `tracker update` wrote, for the person who asked it to: plain text, RAG as a word."""
    import textwrap

    rec = next(r for r in data.recommendations if r.number == update.recommendation)
    clean = columns.clean
    lines = [
        f"Recorded {update.file}:{update.line}",
        f"Recommendation {rec.number}: {clean(rec.title)}",
        f"{update.dept}  {update.date}  {update.rag.value.upper()}  by {clean(update.author)}",
        *textwrap.wrap(clean(update.summary), 76, initial_indent="  ", subsequent_indent="  "),
        *(f"  {clean(url)}" for url in update.evidence),
    ]
    if update.target_date:
        baseline = rec.deadline.date.isoformat() if rec.deadline else "none"
        lines.append(f"Target date revised to {update.target_date} (baseline {baseline}): {clean(update.reason or '')}")
    return "\n".join(lines) + "\n"


def report_document(as_of: date, statuses: list[RecommendationStatus]) -> dict[str, Any]:
    """The machine contract of `tracker report --format json` (see design.md)."""
    from .status import summary

    return {
        "as_of": as_of.isoformat(),
        "summary": summary(statuses),
        "recommendations": [
            {
                "number": s.rec.number,
                "title": s.rec.title,
                "section": s.rec.section,
                "rag": s.rag,
                "deadline": _iso(s.deadline),
                "target_date": _iso(s.target_date),
                "overdue": s.overdue,
                "owners": [
                    {
                        "dept": o.dept,
                        "role": o.role,
                        "rag": o.rag,
                        "last_update": _iso(o.latest.date if o.latest else None),
                        "stale": o.stale,
                        "trend": o.trend,
                    }
                    for o in s.owners
                ],
            }
            for s in statuses
        ],
    }


REPORT_COLUMNS = [
    "number", "title", "section", "rag", "deadline", "target_date", "overdue",
    "dept", "role", "owner_rag", "last_update", "stale", "trend",
]  # fmt: skip


def report_csv(statuses: list[RecommendationStatus]) -> str:
    """The report for spreadsheets: a row per owner of each recommendation."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    for s in statuses:
        for o in s.owners:
            writer.writerow([
                s.rec.number, s.rec.title, s.rec.section, s.rag, _iso(s.deadline) or "", _iso(s.target_date) or "",
                "yes" if s.overdue else "no", o.dept, o.role, o.rag, _iso(o.latest.date if o.latest else None) or "",
                "yes" if o.stale else "no", o.trend or "",
            ])  # fmt: skip
    return buf.getvalue()


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
