"""tracker init: a new workspace with the default data, and what its repository needs on GitHub."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NamedTuple

import typer

from . import _context, _out

app = typer.Typer()


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new workspace (created if missing).")],
    github: Annotated[
        bool,
        typer.Option(
            "--github",
            help="Also write .github/: CODEOWNERS (a team per status file), a workflow running tracker check"
            " on every pull request, and a pull-request template. On a workspace that exists, adds those it lacks.",
        ),
    ] = False,
    install: Annotated[
        str | None,
        typer.Option(
            "--install",
            metavar="SPEC",
            help="What the workflow installs tracker with, as pip takes it (default: this very version, from PyPI;"
            " until tracker is published there, git+URL of its repository).",
        ),
    ] = None,
    partnership: Annotated[
        str | None,
        typer.Option(
            "--partnership",
            metavar="NAME",
            help="Start a local Combating Drugs Partnership's workspace: the national recommendations for reference,"
            " an empty delivery plan (sources/plan.yaml) and a registry of local bodies to extend.",
        ),
    ] = None,
) -> None:
    """Create a new workspace holding the review's 32 recommendations (--partnership: a local plan under them);
    --github adds what its repository needs on GitHub."""
    from tracker.errors import UsageError
    from tracker.output.github import CODEOWNERS
    from tracker.workspace import MARKER, add
    from tracker.workspace import init as create

    if install is not None and not github:
        raise UsageError("--install says what the workflow installs, so it goes with --github")
    exists = github and (directory / MARKER).is_file()
    marker = None
    files: dict[str, bytes] = {}
    if partnership is not None:
        from tracker.loading import partnership_files

        name = " ".join(partnership.split())
        if not name or not name.isprintable() or len(name) > 100:
            raise UsageError("--partnership: give the partnership's name, on one line of at most 100 characters")
        if exists or (directory / MARKER).is_file():
            raise UsageError(f"{directory / MARKER} already exists; --partnership starts a new workspace")
        made = partnership_files(name, _context.today())
        marker, files = made.pop(MARKER), made
    kit = _github_kit(directory, _install_spec(install), exists, marker) if github else None
    files = {**files, **(kit.files if kit is not None else {})}
    if exists:
        files = {**files, **_gitignore(directory)}
        created, kept = add(directory, files)
        if not created:
            raise UsageError(f"{directory} already holds a workspace and every file --github writes; refusing to overwrite them")
    else:
        created, kept = create(directory, files, marker)
    for path in created:
        _out.echo(f"created {path}")
    for path in kept:
        _out.echo(f"tracker: note: {path} is there already, so it was left as it is", err=True)
    if kit is not None and install is None:
        _say_where_the_workflow_installs_from(directory, created, kit)
    _say_what_next(directory, exists, github and directory / CODEOWNERS in created)


def _gitignore(directory: Path) -> dict[str, bytes]:
    """A .gitignore for a workspace that has none, leaving out tracker's working files (its intent
    journal above all: committed, it would name changes to the record); a note if one leaves them in."""
    from tracker.workspace import GITIGNORE, JOURNAL

    path = directory / ".gitignore"
    if not path.exists():
        return {".gitignore": GITIGNORE.encode("utf-8")}
    try:
        kept = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        kept = []
    missing = [line for line in GITIGNORE.splitlines()[1:] if line not in kept]
    if JOURNAL in missing and "/" + JOURNAL not in kept:
        _out.echo(
            f"tracker: note: {path} does not leave out tracker's working files; add these lines: {' '.join(missing)}", err=True
        )
    return {}


class _Kit(NamedTuple):
    """What --github writes, and where its workflow installs tracker from when --install is not given."""

    files: dict[str, bytes]
    default: str
    came_from: str | None


def _install_spec(install: str | None) -> str | None:
    """--install as the workflow will hold it: one line pip takes, nothing GitHub would expand."""
    from tracker.domain.values import not_utf8
    from tracker.errors import UsageError

    spec = install.strip() if install is not None else None
    if spec is not None and (bad := not_utf8(spec)) is not None:
        raise UsageError(f"--install: holds bytes that are not UTF-8 text ({bad}); give it in UTF-8")
    if spec is not None and (not spec or spec.startswith("-") or not spec.isprintable() or len(spec) > 1000):
        raise UsageError(
            "--install: give one requirement, URL or file for pip to install (not an option),"
            " on one line of at most 1,000 characters"
        )
    if spec is not None and "${{" in spec:  # GitHub would expand it before the shell sees the quotes
        raise UsageError("--install: ${{ … }} would be expanded by GitHub Actions in the workflow; give the spec itself")
    return spec


def _github_kit(directory: Path, spec: str | None, exists: bool, marker: bytes | None = None) -> _Kit:
    from tracker.about import DISTRIBUTION, origin, version
    from tracker.errors import InvalidData
    from tracker.loading import load_recommendations
    from tracker.output.github import kit
    from tracker.workspace import MARKER, default_data, read

    current = version()
    came_from = origin()  # a git repository or an archive anyone can reach: the workflow installs the same
    default = came_from or (f"{DISTRIBUTION}=={current}" if current else DISTRIBUTION)
    # The board's CODEOWNERS names the bodies in its own recommendations.yaml, once it has one.
    data, problems = load_recommendations(read(directory / MARKER, MARKER)[0] if exists else marker or default_data())
    if problems:
        raise InvalidData(problems)
    made = kit(data, _context.today(), spec or default, current, from_pypi=spec is None and came_from is None)
    return _Kit({name: text.encode("utf-8") for name, text in made.items()}, default, came_from)


def _say_where_the_workflow_installs_from(directory: Path, created: list[Path], kit: _Kit) -> None:
    from tracker.output.github import WORKFLOW

    if directory / WORKFLOW not in created:
        return
    if kit.came_from is not None:
        _out.echo(f"tracker: note: the workflow installs tracker from {kit.came_from}, as this tracker was installed", err=True)
        return
    _out.echo(
        f"tracker: note: the workflow installs {kit.default} from PyPI; until tracker is published there, change its"
        " 'Install tracker' step to install from tracker's repository (git+URL), or write it with --install",
        err=True,
    )


def _say_what_next(directory: Path, exists: bool, placeholders: bool) -> None:
    import shlex

    from tracker.output.github import CODEOWNERS, PLACEHOLDER_ORG

    steps = "git init && tracker check" if not exists else "tracker check"
    here = directory.resolve() == Path.cwd().resolve()
    _out.echo(f"\nNext: {'' if here else f'cd {shlex.quote(str(directory))} && '}{steps}")
    if placeholders:
        _out.echo(f"Then replace the @{PLACEHOLDER_ORG}/... placeholders in {CODEOWNERS} with the board's GitHub teams.")
