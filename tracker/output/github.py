"""What a board's repository needs on GitHub (`tracker init --github`): who may change which file,
the check on every pull request, and what a pull request must say."""

from __future__ import annotations

import shlex
import textwrap
from datetime import date

from tracker.domain.recommendations import Dataset

from .document import plain

CODEOWNERS = ".github/CODEOWNERS"
WORKFLOW = ".github/workflows/check.yml"
PULL_REQUEST_TEMPLATE = ".github/pull_request_template.md"
# Every owner in CODEOWNERS is a placeholder under this name, until the board puts its own.
PLACEHOLDER_ORG = "YOUR-ORG"
SECRETARIAT = f"@{PLACEHOLDER_ORG}/secretariat"


def team(code: str) -> str:
    """The placeholder for the GitHub team that speaks for department `code`."""
    return f"@{PLACEHOLDER_ORG}/{code.lower()}-returns"


def kit(data: Dataset, today: date, install: str, version: str | None, from_pypi: bool) -> dict[str, str]:
    """The files, by their paths in the workspace. `install` is what the workflow installs tracker
    with (as pip takes it); `from_pypi` says it is the default, from PyPI, and a note says what to do
    until tracker is there."""
    return {
        CODEOWNERS: codeowners(data, today),
        WORKFLOW: workflow(install, version, from_pypi),
        PULL_REQUEST_TEMPLATE: pull_request_template(),
    }


def status_file_owners(data: Dataset, today: date) -> list[tuple[str, list[str], str]]:
    """For each body whose returns may be filed (an owner of a recommendation, or the body that carries
    an owner's work today), in the registry's order: its code, the codes of the departments whose teams
    own its status file, and why, in words. A body that cannot make returns (`reports_via`) has its file
    owned by the department that makes them; a body that was merged, split or closed, by the one that
    carries its work today; one that reports via a department on some recommendations and for itself on
    others, by both."""
    registry = data.registry
    owners = [owner for rec in data.recommendations for owner in rec.owners if owner.dept in registry.departments]
    # Today's bodies, and those that will carry the work after a merger the registry already dates.
    filers = {dept.code for owner in owners for day in (today, date.max) for dept in registry.chain(owner.dept, day)}
    out = []
    for code, dept in registry.departments.items():
        if code not in filers:
            continue
        named = [o for o in owners if o.dept == code]
        vias = list(dict.fromkeys(registry.current(o.reports_via, today).code for o in named if o.reports_via))
        current = registry.current(code, today).code
        itself = [current] if not named or any(not o.reports_via for o in named) else []
        teams = list(dict.fromkeys(itself + vias))
        why = plain(dept.name)  # one line: a line break in a name would start a rule of its own
        if vias:
            why += f": {' and '.join(vias)} make{'s' if len(vias) == 1 else ''} its returns"
        if current != code:
            end = dept.ended(today)
            why += f"; its work is {current}'s" + (f" since {end.date.isoformat()}" if end is not None else "")
        out.append((code, teams, why))
    return out


def codeowners(data: Dataset, today: date) -> str:
    """A line per status file giving it to its department's team, the rest to the secretariat."""
    board = f" for {plain(data.board.name)}" if data.board.name else ""
    lines = [
        f"# Who may approve a change to each file of this tracker workspace{board}.",
        f"# Written by `tracker init --github` on {today.isoformat()}.",
        "#",
        f"# PLACEHOLDERS: every owner below (@{PLACEHOLDER_ORG}/...) is a placeholder. Replace {PLACEHOLDER_ORG} with",
        "# the board's GitHub organisation, and each team with the team that speaks for that body (create",
        "# the teams first and give them write access: GitHub ignores a line whose owner it cannot find).",
        '# Then, in the branch protection of main, turn on "Require review from Code Owners", so that a',
        "# change to a department's status file needs that department's approval.",
        "#",
        "# The last line that matches a file wins: the secretariat owns everything, the board's own files",
        "# and this one included, except each department's status file, which is its own.",
        f"*                        {SECRETARIAT}",
        f"/recommendations.yaml    {SECRETARIAT}",
        f"/assessments.yaml        {SECRETARIAT}",
        f"/actions.yaml            {SECRETARIAT}",
        f"/meetings.yaml           {SECRETARIAT}",
        f"/.github/                {SECRETARIAT}",
        "# tracker's working files are never committed (.gitignore leaves them out): an intent journal",
        "# names changes to status files, so a pull request carrying one fails `tracker check` and must not be merged.",
        f"/.tracker.*              {SECRETARIAT}",
        f"/.gitignore              {SECRETARIAT}",
        "",
        "# Each department's returns: status/<CODE>.yaml (tracker update, tracker import).",
    ]
    for code, teams, why in status_file_owners(data, today):
        lines += [f"# {why}", f"/status/{code}.yaml".ljust(25) + " ".join(team(t) for t in teams)]
    return "\n".join(lines) + "\n"


def workflow(install: str, version: str | None, from_pypi: bool) -> str:
    """The GitHub Actions workflow that runs `tracker check --format github` on every pull request
    and every push to main, with tracker installed as `install` says."""
    written = f"tracker {version}" if version else "tracker"
    if from_pypi:
        how = (
            f"Its step 'Install tracker' installs {install} from PyPI: the version that wrote this workspace,"
            " so that CI checks the data as the secretariat's tracker does (move the two on together)."
            " Until tracker is published on PyPI, install it from its repository instead:"
        )
        until = ["#   python -m pip install 'git+<URL of tracker's repository>@<tag or commit>'"]
    else:
        how = (
            "Its step 'Install tracker' installs tracker from where the tracker that wrote this workspace came"
            " from (or what `tracker init --github --install` was given), so that CI checks the data as the"
            " secretariat's tracker does (move the two on together)."
        )
        until = []
    paragraphs = [
        "tracker check on every pull request and every push to main: a problem in the data shows on the"
        " pull request's diff and fails the check. Make its job (check) a required status check in the"
        " branch protection of main, so that a change that breaks a rule cannot be merged.",
        f"Written by `tracker init --github` ({written}). {how}",
    ]
    header = "\n#\n".join(
        textwrap.fill(text, 98, initial_indent="# ", subsequent_indent="# ", break_long_words=False, break_on_hyphens=False)
        for text in paragraphs
    )
    return "\n".join(
        [
            header,
            *until,
            "",
            "name: tracker check",
            "",
            "on:",
            "  pull_request:",
            "  push:",
            "    branches: [main]",
            "",
            "permissions:",
            "  contents: read",
            "",
            "jobs:",
            "  check:",
            "    runs-on: ubuntu-latest",
            "    steps:",
            "      - uses: actions/checkout@v4",
            "      - uses: actions/setup-python@v5",
            "        with:",
            '          python-version: "3.12"',
            "      - name: Install tracker",
            "        run: |",
            f"          python -m pip install {shlex.quote(install)}",
            "      - name: Check the data",
            "        run: |",
            "          tracker check --format github",
            "",
        ]
    )


def pull_request_template() -> str:
    """What a pull request that changes the record must say: what changed, the evidence, who approved it."""
    return """\
<!-- Written by `tracker init --github`. A pull request here changes the board's record: say what
changed and why it can be believed. CI runs `tracker check` on it; CODEOWNERS asks the department
whose file it changes (or the secretariat) to approve it. -->

## What changed

<!-- Whose returns or assessments, on which recommendations, for which board meeting.
e.g. "DHSC's returns on 9 and 12 for the March board". -->

## Evidence

<!-- A link for each claim: the published document, minutes or data the return rests on. The same
links belong in the return's `evidence:`. -->

-

## Approved by

<!-- Who approved these returns for the department (or the assessment for the board), their role,
and the date. -->

## Checklist

- [ ] Only my department's file (`status/<CODE>.yaml`) changes, or only the secretariat's files
- [ ] Returns are added at the end; an earlier one is changed with `tracker correct` or `tracker withdraw`, never edited
- [ ] A revised target date has its reason
"""
