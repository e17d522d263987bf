"""What Datasette is told about tracker.db: titles, descriptions, column labels, facets, canned queries.

Pure: built from the data (the review, the government's responses, the board) and returned as
plain dicts for JSON. tracker never imports Datasette; it only describes its own database to it.
Datasette 0.x reads all of it from one metadata file (`-m`); Datasette 1.0 reads the titles,
descriptions and column labels from the metadata (`-m`) and the rest from its configuration
(`-c`), which `split` separates.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker.domain.recommendations import Dataset

OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
RATINGS = "red, amber, green, complete or no_return"

# Each table's (or view's) description and its columns' labels. tests/test_datasette.py checks that
# every one named here is in the database, and every column of the standing tables is described.
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "standing": (
        "Where each recommendation stands, as of the date in as_of: the day tracker last brought tracker.db in line"
        " (every tracker command does, and works it out again when the YAML changes or a new day begins)."
        " rag is the headline rating the board's counts count.",
        {
            "number": "Recommendation number, 1 to 32 (another source's items: tracker's own number, from 10001)",
            "ref": "How people name it: its number, or beside other sources R12, CP-3",
            "section": "Section of the review",
            "title": "Short title",
            "rag": f"Headline rating ({RATINGS}): the board's assessment where it is as new as the leads' returns,"
            " else departments_rag",
            "rag_from": "Where the headline comes from: board (its assessment) or departments (their returns)",
            "departments_rag": "Departmental rating: the worst rating the lead owners have given (a lead with no return"
            " in the window counts with its last one); no_return only when no lead has ever reported",
            "awaiting": "Lead owners with no return in the window: awaited, and chased (today's codes)",
            "board_rag": "The board's latest assessment on or before as_of, if it has assessed it",
            "board_date": "Date of that assessment",
            "board_summary": "What that assessment says",
            "deadline": "The review's baseline deadline (never revised)",
            "target_date": "Current target date: the baseline, or the latest revision by a lead",
            "overdue": "1 when the target date had passed on as_of and the headline is not complete (a review's date"
            " that is a start or the earliest, not a deadline, is never overdue; a lead's revised date is)",
            "leads": "Lead owners, today's codes; LA (via OHID): OHID makes the returns",
            "supports": "Supporting owners",
            "as_of": "The date this standing is as of",
        },
    ),
    "owner_standing": (
        "Each owner's rating of each recommendation, as of the date in as_of. An owner with no return in the reporting"
        " window is no_return and keeps its last rating in last_rag.",
        {
            "number": "Recommendation number",
            "ref": "How people name the item: its number, or beside other sources R12, CP-3",
            "dept": "The owner: today's code of the body named",
            "role": "lead or support",
            "reports_via": "The department that makes returns for this owner, if it cannot itself",
            "rag": f"The owner's rating on as_of ({RATINGS})",
            "last_rag": "The rating of its latest return, however old",
            "last_update": "Date of its latest return",
            "stale": "1 when it has made no return within the reporting window",
            "trend": "Its latest rating against the one before: better, worse or same",
            "owed_by": "Who owes a return for it on as_of: the owner, or the department that reports for it; empty when it"
            " has made one in the window to as_of or the headline is complete (tracker chase counts to the next"
            " meeting's returns deadline)",
            "named_as": "The code the review's recommendation named",
            "section": "Section of the review",
            "as_of": "The date this standing is as of",
        },
    ),
    "sources": (
        "What the workspace follows: the review (key review) and any other source (sources/KEY.yaml): a local"
        " delivery plan, another review, a strategy.",
        {
            "item": "What the source calls one of its items (recommendation, action)",
            "responses": "1 when each item has a government response",
            "follow": "1 when returns are asked for on its items; 0 when it is kept for reference",
            "file": "The YAML file it is defined in",
        },
    ),
    "delivers": (
        "The items of one source that deliver a recommendation of another: a partnership's local actions under the"
        " national recommendations.",
        {"recommendation": "The item (by number) that delivers", "delivered": "The recommendation it delivers"},
    ),
    "recommendations": (
        "The review's recommendations (and any other source's items), their text quoted exactly, and the deadline each set.",
        {
            "number": "tracker's key: the review's own number; another source's items from 10001",
            "source": "The source it is from (sources.key)",
            "ref": "How people name it, where not by its number: R12 beside other sources, CP-3",
            "outcomes": "The codes of the outcomes (outcomes.yaml) it serves",
            "text": "Text quoted from the review's list of recommendations",
            "addressed_to": "Whom the text addresses",
            "deadline_words": "The review's words for the deadline",
            "deadline_date": "The date those words are taken to mean",
            "deadline_reasoning": "Why, where the words are open to reading",
            "deadline_kind": "deadline (overdue once passed), or start or earliest: dates in the review's words"
            " that nothing can be overdue against",
            "line": "Line in recommendations.yaml",
        },
    ),
    "owners": (
        "Who owns each recommendation, as the review named them.",
        {
            "dept": "The body named, by its code in the review",
            "role": "lead or support",
            "basis": "text: the review names it; board: the board assigned it",
            "reports_via": "The department that makes returns for it, if it cannot itself",
        },
    ),
    "responses": (
        "The government's response to each recommendation, one row per document; category is the board's reading.",
        {"category_source": "Who classified the response: board means the board's own assessment", "source": "Link"},
    ),
    "returns": (
        "Every department's return, and the board's assessments (rows with no dept), as recorded in the YAML;"
        " a row with withdrawn_by no longer counts.",
        {
            "rag": "The rating returned (red, amber, green or complete)",
            "target_date": "A revised target date, if it gave one",
            "reason": "Why the target date moved",
            "file": "The YAML file it is recorded in",
            "line": "Its line in that file",
            "withdrawn_by": "Line of the correction that withdrew or replaced it",
            "corrects": "For a correction's new values: the line of the entry it replaces",
        },
    ),
    "assessments": ("The board's own dated assessments: the rows of returns with no dept.", {}),
    "return_evidence": ("Evidence links given with each return or assessment.", {}),
    "corrections": ("Corrections and withdrawals of earlier returns and assessments, with why.", {}),
    "departments": ("The department registry: every body named, by code.", {}),
    "department_aliases": ("Other names each body is known by.", {}),
    "department_history": ("Renames, mergers and other dated events in each body's history.", {}),
    "links": ("Recommendations that refer to each other.", {}),
    "meetings": (
        "The board's meeting dates.",
        {"returns_by": "When the returns for the meeting are due, where the board set it (else a week before)"},
    ),
    "meta": ("About the data: the review, the board, and the date the standing tables are as of.", {}),
    "files": ("The YAML files as tracker last loaded them.", {}),
    "outcomes_framework": ("The outcomes framework the measures belong to (outcomes.yaml): its title, date and link.", {}),
    "outcomes": (
        "The framework's outcomes: strategic (what it delivers for citizens) and intermediate (what helps deliver them).",
        {"code": "The outcome's code, as recommendations name it", "kind": "strategic or intermediate"},
    ),
    "measures": (
        "The measures of each outcome, with the unit, the direction of good, the baseline and the target a source sets.",
        {
            "unit": "count, percent, per 1,000, per 100,000 or per million",
            "direction": "The way that is better: up or down",
            "baseline_period": "The period the baseline value is for",
            "target_words": "The target as the framework or strategy words it",
            "target_value": "The target in the measure's unit, where the words give one",
            "target_by": "The period by which the target is to be met (2024/25: the financial year)",
        },
    ),
    "measure_values": (
        "Published values of the measures (outcome_values.yaml), each with its source.",
        {
            "period": "What the value is for, as written: a year, a financial year (2023/24), a month or a day",
            "period_start": "The period's first day",
            "period_end": "The period's last day",
            "recorded": "When the value was recorded in tracker",
        },
    ),
}

# Configuration (Datasette 1.0's datasette.yaml): facets, order, labels, what is hidden.
FACETS = {
    "standing": ["rag", "section", "departments_rag", "overdue"],
    "owner_standing": ["rag", "dept", "section", "role"],
    "returns": ["dept", "rag"],
    "recommendations": ["section", "source"],
    "measures": ["outcome", "unit", "direction"],
    "measure_values": ["measure"],
}
LABELS = {"recommendations": "title", "standing": "title", "departments": "name", "outcomes": "name", "measures": "name"}
HIDDEN = ("files",)
CONFIGURATION = ("facets", "sort", "sort_desc", "label_column", "hidden", "queries")


def described(
    tables: dict[str, tuple[str, dict[str, str]]], facets: dict[str, list[str]]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each table's entry in Datasette's metadata: its description, its columns' and its facets."""
    for table, (description, columns) in tables.items():
        entry: dict[str, Any] = {"description": description}
        if columns:
            entry["columns"] = dict(columns)
        if table in facets:
            entry["facets"] = list(facets[table])
        yield table, entry


def _what(data: Dataset) -> str:
    """`The 32 recommendations of ... (author, 2021)`, each source in its own words, the followed first."""
    sources = sorted(data.all_sources.values(), key=lambda s: not s.follow)
    parts = []
    for s in sources:
        n = sum(1 for r in data.recommendations if r.source == s.key)
        kept = "" if s.follow else ", kept for reference"
        parts.append(f"{s.counted(n)} of {s.title} ({s.author}, {s.published.year}{kept})")
    return "The " + "; and the ".join(parts)


def datasette_metadata(data: Dataset, database: str, queries: dict[str, str]) -> dict[str, Any]:
    """Datasette 0.x's metadata for tracker.db, served as `database`, with canned queries `queries`
    (the SQL of "owed_returns" and "overdue")."""
    review = data.review
    documents = sorted({(r.date, r.document, r.source) for rec in data.recommendations for r in rec.responses})
    answered = "; ".join(f"{name} ({day.isoformat()})" for day, name, _ in documents)
    followed = [s for s in data.all_sources.values() if s.follow] or [data.review_source]
    about = " and ".join("the Review of drugs part two" if s.key == "review" else s.title for s in followed)
    title = f"{data.board.name}: delivery of {about}" if data.board.name else about[:1].upper() + about[1:]
    tables: dict[str, Any] = {}
    for table, entry in described(TABLES, FACETS):
        if table in LABELS:
            entry["label_column"] = LABELS[table]
        if table in HIDDEN:
            entry["hidden"] = True
        tables[table] = entry
    tables["standing"]["sort"] = "number"
    tables["owner_standing"]["sort"] = "number"
    return {
        "title": title,
        "description": (
            f"{_what(data)}, who owns each, the owners' returns, the board's assessments, and where each item stands:"
            " the standing and owner_standing tables, as of the date in their as_of column."
            + (f" The government's responses: {answered}." if answered else "")
        ),
        "license": "Open Government Licence v3.0 (the review's and the government's text)",
        "license_url": OGL,
        "source": f"{review.title}, {review.author}",
        "source_url": review.source,
        **({"about": f"Government response: {documents[0][1]}", "about_url": documents[0][2]} if documents else {}),
        "databases": {
            database: {
                "description": "Derived from the workspace's YAML by tracker; rebuilt, never edited.",
                "tables": tables,
                "queries": {
                    "owed_returns": {
                        "title": "Owed returns",
                        "description": (
                            "Who owes a return: every owner rated no_return on the standing's as_of date, lead or support,"
                            " under the department that makes its returns (owed_by: reports_via where one is set);"
                            " none on a recommendation whose headline is complete."
                        ),
                        "sql": queries["owed_returns"],
                    },
                    "overdue": {
                        "title": "Overdue",
                        "description": (
                            "Recommendations whose target date had passed on the standing's as_of date"
                            " and whose headline rating is not complete, oldest target date first."
                        ),
                        "sql": queries["overdue"],
                    },
                },
            }
        },
    }


def split(metadata: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Datasette 1.0's two files from 0.x's one: the metadata, and the configuration (facets,
    order, labels, hidden tables, canned queries)."""
    meta = {k: v for k, v in metadata.items() if k != "databases"}
    config: dict[str, Any] = {"databases": {}}
    meta["databases"] = {}
    for name, database in metadata["databases"].items():
        meta_db = {k: v for k, v in database.items() if k not in ("tables", *CONFIGURATION)}
        config_db = {k: v for k, v in database.items() if k in CONFIGURATION}
        meta_db["tables"], config_db["tables"] = {}, {}
        for table, entry in database.get("tables", {}).items():
            meta_db["tables"][table] = {k: v for k, v in entry.items() if k not in CONFIGURATION}
            if settings := {k: v for k, v in entry.items() if k in CONFIGURATION}:
                config_db["tables"][table] = settings
        meta["databases"][name], config["databases"][name] = meta_db, config_db
    return meta, config
