"""tracker gather: one national database over many partnership workspaces."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import _context, _options, _out

if TYPE_CHECKING:
    from tracker.domain.national import Gathered

app = typer.Typer()


@app.command()
def gather(
    out: Annotated[
        Path,
        typer.Option(
            "--out", metavar="FILE.db", help="The national database to write (atomically; replaces only one gather wrote)."
        ),
    ],
    folders: Annotated[
        list[Path] | None, typer.Argument(help="Partnership workspaces to gather (folders), as well as any --list names.")
    ] = None,
    listed: Annotated[
        Path | None,
        typer.Option(
            "--list",
            metavar="FILE",
            help="A file naming the workspaces, one folder a line (# starts a comment line); relative to the file's folder.",
        ),
    ] = None,
    as_of: _options.AsOf = None,
    format: Annotated[str, _options.format_option("text", "json")] = "text",
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Gather the others when a workspace's data breaks a rule, listing it as skipped."),
    ] = False,
    paper: Annotated[
        Path | None, typer.Option("--paper", metavar="FILE.md", help="Also write a national paper in markdown to this file.")
    ] = None,
    metadata: Annotated[
        Path | None,
        typer.Option("--metadata", metavar="FILE.json", help="Also write Datasette metadata for the national database."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE.json",
            help="With --metadata, for Datasette 1.0: write its configuration (facets, canned queries) to this file.",
        ),
    ] = None,
) -> None:
    """Gather many partnership workspaces into one national database: a roll-up under each national
    recommendation, who is late, and (--paper) a national paper."""
    from tracker.errors import UsageError
    from tracker.gathering import Listed, check_listed, check_out, read_list
    from tracker.gathering import gather as build

    if config is not None and metadata is None:
        raise UsageError("--config goes with --metadata: the two files Datasette 1.0 reads")
    outputs = {"--out": out, "--paper": paper, "--metadata": metadata, "--config": config}
    given = {option: path for option, path in outputs.items() if path is not None}
    for option, path in given.items():
        if _out.names_stdout(path):
            raise UsageError(f"{option}: give a file; the summary is what goes to standard output")
    from tracker.workspace import resolved_output

    resolved = [resolved_output(path, option) for option, path in given.items()]
    if len(set(resolved)) < len(resolved):
        raise UsageError(f"{', '.join(given)} name the same file: each is a file of its own")
    workspaces = [Listed(folder, str(folder)) for folder in folders or []]
    if listed is not None:
        if resolved_output(listed, "--list") in resolved:
            raise UsageError(f"--list: {listed} is also named as an output: it would be written over")
        workspaces += read_list(listed)
    day = _options.option_date(as_of, "--as-of", _context.today())
    check_listed(workspaces)
    for option, path in given.items():
        if option != "--out":
            check_out(workspaces, path, option)
    result = build(
        workspaces, out, day, skip_invalid, lambda made: _write_files(made, workspaces[0].folder, paper, metadata, config, out)
    )
    if format == "json":
        from tracker.output.jsonout import to_json
        from tracker.output.national import gathered_document

        _out.write(to_json(gathered_document(result)))
    else:
        from tracker.output.national import gathered_text

        _out.write(gathered_text(result))


def _write_files(result: Gathered, root: Path, paper: Path | None, metadata: Path | None, config: Path | None, out: Path) -> None:
    from tracker.workspace import write_out

    if paper is not None:
        from tracker.output.national import national_paper

        write_out(root, paper, national_paper(result).encode("utf-8"), "--paper")
        _out.echo(f"wrote {paper}", err=True)
    if metadata is not None:
        from tracker.db.national import LATE_RETURNS, ROLLUP
        from tracker.output.jsonout import to_json
        from tracker.output.national_datasette import national_metadata

        document = national_metadata(result, out.stem, {"who_is_late": LATE_RETURNS, "recommendation_rollup": ROLLUP})
        if config is not None:
            from tracker.output.datasette import split

            document, configuration = split(document)
            write_out(root, config, to_json(configuration).encode("utf-8"), "--config")
            _out.echo(f"wrote {config}", err=True)
        write_out(root, metadata, to_json(document).encode("utf-8"), "--metadata")
        _out.echo(f"wrote {metadata}", err=True)
