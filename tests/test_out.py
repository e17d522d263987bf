"""What every command that writes a file shares (commands/_out.py), and the one name for text output."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run


@pytest.mark.parametrize(
    "args",
    [
        ("pack", "--dept", "DWP"),
        ("datasette-metadata",),
        ("paper", "--as-of", "2025-12-31"),
    ],
)
def test_out_dash_is_standard_output_and_a_file_is_the_same_bytes(
    run: Run, workspace: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    shown = run(*args, root=workspace)
    assert shown.exit_code == 0, shown.stderr
    assert run(*args, "--out", "-", root=workspace).stdout == shown.stdout
    name = {"pack": "pack.csv", "datasette-metadata": "metadata.json", "paper": "paper.md"}[args[0]]
    written = run(*args, "--out", str(tmp_path / name), root=workspace)
    assert written.exit_code == 0 and written.stdout == ""
    assert written.stderr.startswith(f"wrote {tmp_path / name}")
    assert (tmp_path / name).read_text(encoding="utf-8") == shown.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ("pack", "--dept", "DWP", "--out", "pack.txt"),
            "--out: .txt is not a format tracker writes; name the file .xlsx (a workbook) or .csv",
        ),
        (
            ("paper", "--out", "paper.pdf"),
            "--out: .pdf is not a format tracker writes; name the file .md, .docx or .html, or give --format",
        ),
        (("paper", "--format", "html", "--out", "paper.docx"), "--format html: --out paper.docx is named as a docx file"),
        (("datasette-metadata", "--out", "nowhere/metadata.json"), "--out: the folder nowhere does not exist"),
        (("datasette-metadata", "--config", "nowhere/config.json"), "--config: the folder nowhere does not exist"),
    ],
)
def test_a_file_that_cannot_be_what_is_asked_is_refused_before_anything_is_written(
    run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], said: str
) -> None:
    monkeypatch.chdir(workspace)
    before = sorted(p.name for p in workspace.iterdir())
    result = run(*args, root=workspace)
    assert result.exit_code != 0 and result.stdout == ""
    assert result.stderr == f"tracker: error: {said}\n"
    assert sorted(p.name for p in workspace.iterdir() if p.name != "tracker.db" and not p.name.startswith(".tracker")) == [
        n for n in before if n != "tracker.db" and not n.startswith(".tracker")
    ]


def test_a_pack_named_without_an_extension_is_csv(run: Run, workspace: Path, tmp_path: Path) -> None:
    assert run("pack", "--dept", "DWP", "--out", str(tmp_path / "pack"), root=workspace).exit_code == 0
    assert (tmp_path / "pack").read_text(encoding="utf-8") == run("pack", "--dept", "DWP", root=workspace).stdout


@pytest.mark.parametrize(
    "command",
    [
        ("list",),
        ("show", "9"),
        ("departments",),
        ("report", "--as-of", "2025-12-31"),
        ("trend", "--as-of", "2025-12-31"),
        ("check",),
        ("chase",),
    ],
)
def test_text_is_what_a_person_reads_in_every_command_and_table_is_the_same(
    run: Run, workspace: Path, command: tuple[str, ...]
) -> None:
    default = run(*command, root=workspace)
    assert default.exit_code == 0, default.stderr
    assert run(*command, "--format", "text", root=workspace).stdout == default.stdout
    assert run(*command, "--format", "table", root=workspace).stdout == default.stdout


def test_every_format_option_offers_text_or_a_file_format() -> None:
    """No command names the format a person reads anything but `text`: every --format either offers
    `text` first, as its default, or only the formats of a file (the paper, export's CSV)."""
    import click
    import typer.main

    from tracker.cli import app

    group = typer.main.get_command(app)
    assert isinstance(group, click.Group)
    offered = {}
    for name, command in group.commands.items():
        for param in command.params:
            if "--format" in getattr(param, "opts", ()):
                offered[name] = list(param.type.choices)  # type: ignore[attr-defined]
    assert "table" not in {choice for choices in offered.values() for choice in choices}
    files = {"md", "docx", "html", "csv"}
    for name, choices in offered.items():
        assert choices[0] == "text" or set(choices) <= files, f"{name} --format {choices}"
    assert offered["paper"] == ["md", "docx", "html"] and offered["export"] == ["csv"]
