"""What Datasette is told about the national database `tracker gather` writes: titles,
descriptions, facets on partnership and rating, and two canned queries. Pure."""

from __future__ import annotations

from typing import Any

from tracker.domain.national import Gathered

from .datasette import RATINGS, described

# The national unit's own tables and views, and the gathered tables most asked for. tests/test_gather.py
# checks that every one named here is in the database, with the columns described.
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "partnerships": (
        "Every workspace gathered: the partnership it is (its plan's author, else its board's name, else its folder),"
        " how many local items it follows up, its returns, and how many owners owe one; a workspace skipped as"
        " invalid has its problem.",
        {
            "partnership": "The partnership, as every other table names it",
            "folder": "Its workspace's folder, as gather was given it",
            "items": "Local items followed up (every source but the review)",
            "returns": "Returns recorded",
            "late": "Owners owing a return (see late_returns)",
            "problem": "Why the workspace was skipped (its data breaks a rule), if it was",
        },
    ),
    "national_rollup": (
        "For each national recommendation, in each partnership with local actions under it: the actions, and their"
        " headline ratings rolled up: the worst of those rated (one with no return does not blank the rest),"
        " complete only when every one is complete.",
        {
            "recommendation": "The national recommendation's number (1 to 32)",
            "ref": "How the partnership names it (R12)",
            "rag": f"The rolled-up rating ({RATINGS})",
            "items": "How many local actions deliver it there",
            "actions": "Those actions' refs",
            "as_of": "The date the ratings are as of",
        },
    ),
    "national_summary": (
        "For each national recommendation: how many partnerships have local actions under it, and how many of them"
        " roll up to each rating.",
        {},
    ),
    "national_items": ("Each local action under a national recommendation, in each partnership, with its headline rating.", {}),
    "late_returns": (
        "Who owes a return, in each partnership, as `tracker chase` counts it there: for its next board's returns"
        " deadline (meeting, due), else as of the date gathered (due).",
        {
            "owed_by": "The body that owes it (the owner, or the body that reports for it)",
            "owner": "The owner of the item",
            "item": "The item's number in its workspace",
            "ref": "The item's ref (CP-3)",
            "last_rag": "The rating of the owner's latest return, however old",
            "last_update": "The date of that return",
            "meeting": "The partnership's next board, if it has one",
            "due": "When the return is due",
        },
    ),
    "standing": (
        "Where each item stands in each partnership, as of the date gathered (every workspace's own standing table).",
        {},
    ),
    "owner_standing": ("Each owner's rating of each item, in each partnership, as of the date gathered.", {}),
    "returns": ("Every return and assessment recorded in each partnership's workspace.", {}),
    "recommendations": ("Every item each partnership follows or keeps for reference: the review's and its own plan's.", {}),
    "sources": ("What each partnership's workspace follows: the review (kept for reference) and its local plan.", {}),
}

FACETS = {
    "national_rollup": ["partnership", "rag", "ref"],
    "national_items": ["partnership", "rag", "national_ref"],
    "late_returns": ["partnership", "owed_by"],
    "standing": ["partnership", "rag"],
    "owner_standing": ["partnership", "rag"],
    "returns": ["partnership", "rag"],
}


def national_metadata(g: Gathered, database: str, queries: dict[str, str]) -> dict[str, Any]:
    """Datasette 0.x's metadata for the national database, served as `database`, with canned queries
    `queries` (the SQL of "who_is_late" and "recommendation_rollup": named apart from the tables, which
    Datasette would otherwise serve the query in place of)."""
    tables: dict[str, Any] = dict(described(TABLES, FACETS))
    return {
        "title": f"National roll-up of {len(g.gathered)} Combating Drugs Partnerships",
        "description": (
            f"Gathered by tracker from {len(g.gathered)} partnership workspaces as of {g.as_of}: every table of each"
            " workspace with a partnership column, the roll-up of local actions under each national recommendation"
            " of the Review of drugs part two, and who owes returns."
        ),
        "databases": {
            database: {
                "description": "Derived from the partnerships' YAML by `tracker gather`; rebuilt, never edited.",
                "tables": tables,
                "queries": {
                    "who_is_late": {
                        "title": "Late returns",
                        "description": "Who owes a return, in each partnership, and by when.",
                        "sql": queries["who_is_late"],
                    },
                    "recommendation_rollup": {
                        "title": "National recommendation roll-up",
                        "description": (
                            "For each national recommendation: how many partnerships have local actions under it,"
                            " and how many of them roll up to each rating."
                        ),
                        "sql": queries["recommendation_rollup"],
                    },
                },
            }
        },
    }
