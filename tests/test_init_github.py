"""tracker init --github: what a board's repository needs on GitHub, written beside the new workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tracker.about import DISTRIBUTION, version
from tracker.domain.returns import file_under

from .conftest import DATA, REPO, TODAY, Run, load_dataset, new_workspace

KIT = (".github/CODEOWNERS", ".github/workflows/check.yml", ".github/pull_request_template.md")


def owners_of(codeowners: str) -> dict[str, list[str]]:
    """CODEOWNERS as GitHub reads it: each pattern's owners (no inline comments: GitHub does not allow them)."""
    lines = [line.split() for line in codeowners.splitlines() if line.strip() and not line.startswith("#")]
    assert all("#" not in " ".join(words) for words in lines)
    return {words[0]: words[1:] for words in lines}


def workflow(root: Path) -> dict[object, object]:
    loaded = yaml.safe_load((root / ".github/workflows/check.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_init_github_writes_the_kit_and_the_workspace_checks(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "board"
    result = run("init", str(target), "--github")
    assert result.exit_code == 0, result.stderr
    for name in ("recommendations.yaml", "status/.gitkeep", ".gitignore", *KIT):
        assert f"created {target / name}" in result.stdout
    assert run("check", root=target).exit_code == 0
    # Without --github, none of it: a board on GitLab, say, has no use for it.
    assert run("init", str(tmp_path / "plain")).exit_code == 0
    assert not (tmp_path / "plain" / ".github").exists()


def test_codeowners_gives_each_status_file_to_the_team_that_files_it(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "board"
    run("init", str(target), "--github")
    text = (target / ".github/CODEOWNERS").read_text(encoding="utf-8")
    owners = owners_of(text)
    assert "PLACEHOLDERS" in text and all(o.startswith("@YOUR-ORG/") for team in owners.values() for o in team)
    # The secretariat owns everything else, the board's own files and .github/ (this file) included;
    # `*` comes first, since the last matching line wins.
    assert list(owners)[:6] == ["*", "/recommendations.yaml", "/assessments.yaml", "/actions.yaml", "/meetings.yaml", "/.github/"]
    assert {tuple(owners[p]) for p in list(owners)[:4]} == {("@YOUR-ORG/secretariat",)}
    # Every return tracker would accept on the day lands in a file whose owners include the team of
    # the department that makes it: the body itself, or the department it reports via.
    data, _ = load_dataset(REPO / "recommendations.yaml")
    today = TODAY
    for rec in data.recommendations:
        for owner in rec.owners:
            code = file_under(data, rec, owner.dept, today)
            maker = data.registry.current(owner.reports_via, today).code if owner.reports_via else code
            assert f"@YOUR-ORG/{maker.lower()}-returns" in owners[f"/status/{code}.yaml"], (rec.number, owner.dept)
    # Bodies that report via another department: their file is that department's team's.
    assert owners["/status/LA.yaml"] == ["@YOUR-ORG/ohid-returns"]
    assert owners["/status/ICS.yaml"] == ["@YOUR-ORG/nhse-returns"]
    assert owners["/status/AoMRC.yaml"] == ["@YOUR-ORG/dhsc-returns"]
    # A body merged into another: its older returns' file is its successor's.
    assert owners["/status/HEE.yaml"] == ["@YOUR-ORG/nhse-returns"]
    assert "# Local authorities: OHID makes its returns\n/status/LA.yaml " in text


def test_the_workflow_checks_every_pull_request_with_this_version(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "board"
    result = run("init", str(target), "--github")
    flow = workflow(target)
    on = flow.get("on", flow.get(True))  # YAML 1.1 reads the key `on` as true; GitHub reads it as "on"
    assert isinstance(on, dict) and "pull_request" in on and on["pull_request"] is None  # every pull request
    assert on["push"] == {"branches": ["main"]}
    steps = flow["jobs"]["check"]["steps"]  # type: ignore[index]
    runs = [step["run"].strip() for step in steps if "run" in step]
    assert runs == [f"python -m pip install {DISTRIBUTION}=={version()}", "tracker check --format github"]
    assert [step["uses"].split("@")[0] for step in steps if "uses" in step] == ["actions/checkout", "actions/setup-python"]
    # Until tracker is on PyPI, the stderr and the workflow both say how to install it from its repository.
    assert "until tracker is published there" in result.stderr and "git+URL" in result.stderr
    assert "python -m pip install 'git+<URL of tracker's repository>@<tag or commit>'" in (
        target / ".github/workflows/check.yml"
    ).read_text(encoding="utf-8")


def test_install_chooses_what_the_workflow_installs(run: Run, tmp_path: Path) -> None:
    spec = "git+https://git.example/board/tracker.git@v0.1.0"
    result = run("init", str(tmp_path / "board"), "--github", "--install", spec)
    assert result.exit_code == 0 and "PyPI" not in result.stderr
    steps = workflow(tmp_path / "board")["jobs"]["check"]["steps"]  # type: ignore[index]
    assert steps[2]["run"] == f"python -m pip install {spec}\n"
    # A path with a space is quoted for the shell; anything that is not one line of a requirement is refused.
    run("init", str(tmp_path / "spaced"), "--github", "--install", "/wheels/my folder/x.whl")
    assert (
        workflow(tmp_path / "spaced")["jobs"]["check"]["steps"][2]["run"] == "python -m pip install '/wheels/my folder/x.whl'\n"
    )  # type: ignore[index]
    for bad in ("", "--index-url=https://elsewhere", "tracker\nrm -rf /"):
        result = run("init", str(tmp_path / "bad"), "--github", "--install", bad)
        assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "--install" in result.stderr, bad
    result = run("init", str(tmp_path / "bad"), "--install", spec)
    assert result.exit_code == 2 and "goes with --github" in result.stderr
    assert not (tmp_path / "bad").exists()


def test_init_github_never_overwrites(run: Run, tmp_path: Path, workspace: Path) -> None:
    # A folder that already has a CODEOWNERS of its own keeps it, and is told so.
    target = tmp_path / "repo"
    (target / ".github").mkdir(parents=True)
    (target / ".github/CODEOWNERS").write_text("* @someone\n")
    result = run("init", str(target), "--github")
    assert result.exit_code == 0 and (target / ".github/CODEOWNERS").read_text() == "* @someone\n"
    assert f"{target / '.github/CODEOWNERS'} is there already, so it was left as it is" in result.stderr
    assert "placeholders" not in result.stdout and "until tracker is published" in result.stderr
    assert (target / ".github/workflows/check.yml").exists() and (target / "recommendations.yaml").exists()
    # A workspace that exists gets the files it lacks, and nothing else is touched.
    before = {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()}
    (workspace / ".github/workflows").mkdir(parents=True)
    (workspace / ".github/workflows/check.yml").write_text("mine\n")
    result = run("init", str(workspace), "--github")
    assert result.exit_code == 0, result.stderr
    assert "PyPI" not in result.stderr and (workspace / ".github/workflows/check.yml").read_text() == "mine\n"
    assert {p: p.read_bytes() for p in before} == before and all((workspace / name).exists() for name in KIT)
    assert f"created {workspace / 'recommendations.yaml'}" not in result.stdout
    # Once it has them all, init refuses, as it does for a workspace without --github.
    kit = {name: (workspace / name).read_bytes() for name in KIT}
    for args in (["--github"], []):
        result = run("init", str(workspace), *args)
        assert result.exit_code == 2 and "refusing to overwrite" in result.stderr
    assert {name: (workspace / name).read_bytes() for name in KIT} == kit


def test_codeowners_follows_the_workspaces_own_recommendations(run: Run, tmp_path: Path) -> None:
    small = new_workspace(tmp_path / "small", DATA / "minimal.yaml")
    assert run("init", str(small), "--github").exit_code == 0
    owners = owners_of((small / ".github/CODEOWNERS").read_text(encoding="utf-8"))
    assert [p for p in owners if p.startswith("/status/")] == ["/status/DHSC.yaml", "/status/MHCLG.yaml"]
    # A workspace whose data cannot be read gets no kit.
    broken = new_workspace(tmp_path / "broken", DATA / "bad" / "no-lead.yaml")
    result = run("init", str(broken), "--github")
    assert result.exit_code == 3 and "no lead" in result.stderr and not (broken / ".github").exists()


def test_hostile_names_and_install_specs_cannot_write_rules_or_run_code(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "board"
    assert run("init", str(root)).exit_code == 0
    marker = root / "recommendations.yaml"
    marker.write_text(
        marker.read_text().replace(
            "  - code: DWP\n    name: Department for Work and Pensions\n",
            '  - code: DWP\n    name: "Department for Work and Pensions\\n/.github/ @attacker/ci"\n'
            "    history:\n      - date: 2099-01-01\n        event: merged\n        into: DEW\n\n"
            "  - code: DEW\n    name: Department for Employment and Welfare\n",
        )
    )
    assert run("check", root=root).exit_code == 0
    for spec in ("a\u2028b", "pkg\x85name", "${{ github.event.pull_request.title }}", "-e .", ""):
        result = run("init", str(root), "--github", "--install", spec)
        assert result.exit_code == 2 and not (root / ".github").exists(), spec
    assert run("init", str(root), "--github").exit_code == 0
    rules = [line.split() for line in (root / ".github" / "CODEOWNERS").read_text().splitlines() if line[:1] not in ("#", "")]
    assert all(len(rule) == 2 and rule[1].startswith("@YOUR-ORG/") for rule in rules)  # no rule of the attacker's
    assert ["/status/DEW.yaml", "@YOUR-ORG/dew-returns"] in rules  # a merger already dated has its line


def test_init_writes_nothing_when_a_file_is_where_a_folder_must_be(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "board"
    root.mkdir()
    (root / ".github").write_text("x")
    result = run("init", str(root), "--github")
    assert result.exit_code == 3 and ".github is a file where a folder is needed" in result.stderr
    assert sorted(p.name for p in root.iterdir()) == [".github"]


def test_the_workflow_installs_tracker_from_where_this_one_came_from(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.metadata
    import json

    class Installed:
        version = "0.1.0"

        def __init__(self, direct: object) -> None:
            self.direct = direct

        def read_text(self, name: str) -> str | None:
            return json.dumps(self.direct) if name == "direct_url.json" and self.direct is not None else None

    came_from = {
        "git": {"url": "https://github.com/board/tracker.git", "vcs_info": {"vcs": "git", "commit_id": "0a1b2c3d"}},
        "archive": {"url": "https://example.org/t-0.1.0.whl", "archive_info": {}},
    }
    expected = {"git": "git+https://github.com/board/tracker.git@0a1b2c3d", "archive": "https://example.org/t-0.1.0.whl"}
    for kind, direct in came_from.items():
        monkeypatch.setattr(importlib.metadata, "distribution", lambda name, direct=direct: Installed(direct))
        result = run("init", str(tmp_path / kind), "--github")
        assert result.exit_code == 0 and f"installs tracker from {expected[kind]}" in result.stderr
        steps = yaml.safe_load((tmp_path / kind / ".github" / "workflows" / "check.yml").read_text())["jobs"]["check"]["steps"]
        assert any(expected[kind] in step.get("run", "") for step in steps)
    # A folder on this machine, a token in the URL, or an index: PyPI's name and version, and the note.
    for direct in (
        {"url": "file:///home/me/tracker", "dir_info": {}},
        {"url": "https://me:token@github.com/b/t.git", "vcs_info": {"vcs": "git", "commit_id": "0a1b"}},
        None,
    ):
        monkeypatch.setattr(importlib.metadata, "distribution", lambda name, direct=direct: Installed(direct))
        folder = tmp_path / f"other{len(list(tmp_path.iterdir()))}"
        result = run("init", str(folder), "--github")
        assert result.exit_code == 0 and "until tracker is published there" in result.stderr
        assert "token" not in (folder / ".github" / "workflows" / "check.yml").read_text()


def test_init_never_writes_through_a_link_or_beside_a_folder_in_a_files_place(run: Run, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "board"
    assert run("init", str(root)).exit_code == 0
    (root / ".github").symlink_to(outside)
    result = run("init", str(root), "--github")
    assert result.exit_code == 3 and ".github is a link" in result.stderr and list(outside.iterdir()) == []
    (root / ".github").unlink()
    (root / ".github" / "workflows" / "check.yml").mkdir(parents=True)
    result = run("init", str(root), "--github")
    assert result.exit_code == 3 and "check.yml is there, but not as a file" in result.stderr
    assert not (root / ".github" / "CODEOWNERS").exists()
    assert run("init", str(tmp_path / "long"), "--github", "--install", "x" * 1001).exit_code == 2
