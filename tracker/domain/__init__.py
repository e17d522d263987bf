"""The domain: tracker's types and rules, with no I/O.

    values.py           dates, URLs and plain records, as every boundary reads and writes them
    problem.py          Problem: one broken rule, located in a file
    rating.py           Rating: red, amber, green, complete and no return, with words, colours and order
    departments.py      the registry of bodies, their renames and mergers
    recommendations.py  the review: recommendations, owners, deadlines, responses, and their rules
    returns.py          a department's return: its rules, who may file it, its owner's history
    standing.py         where a recommendation stands on a date

Nothing here reads a file, a database or the clock: every date is given.
"""
