"""Shell completion, driven as the shells drive it: the installed command, run with the words typed so
far in the environment, answers with the candidates; and the scripts `tracker completion` prints, run
in the shells themselves where they are installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from tracker.cli import app

from .conftest import DATA, REPO, new_workspace


def command() -> list[str]:
    exe = shutil.which("tracker", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "tracker"]


def complete(
    line: str, shell: str = "bash", cwd: Path = REPO, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """What `shell`'s script gets back for the command line `line` (the word being completed is its
    last, empty when it ends with a space), as the script asks: through the environment, no arguments."""
    words = line.split()
    if line.endswith(" "):
        words.append("")
    environment = {k: v for k, v in os.environ.items() if k not in ("TRACKER_ROOT", "COMP_WORDS", "COMP_CWORD")}
    environment["_TRACKER_COMPLETE"] = f"{shell}_complete"
    if shell == "fish":  # the whole line up to the cursor, and the word being completed
        environment |= {"COMP_WORDS": line, "COMP_CWORD": words[-1]}
    else:
        environment |= {"COMP_WORDS": " ".join(words), "COMP_CWORD": str(len(words) - 1)}
    return subprocess.run(command(), cwd=cwd, env=environment | (env or {}), capture_output=True, text=True, timeout=60)


def candidates(line: str, **kw: object) -> list[str]:
    result = complete(line, **kw)  # type: ignore[arg-type]
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    return [c.split(",", 1)[1] for c in result.stdout.splitlines() if c]


def test_commands_and_options_complete_through_the_whole_app() -> None:
    assert candidates("tracker ") == sorted(typer.main.get_group(app).commands)
    assert candidates("tracker sh") == ["show"]
    assert candidates("tracker up") == ["update"]
    options = candidates("tracker update 9 --")
    assert {"--dept", "--rag", "--summary", "--date", "--evidence", "--target-date", "--reason"} <= set(options)
    assert candidates("tracker report --format ") == ["text", "json", "csv"]
    assert candidates("tracker report --rag ") == ["red", "amber", "green", "complete", "no-return"]
    assert candidates("tracker completion ") == ["bash", "zsh", "fish"]
    # --version is not acted on while a shell completes the words after it
    assert candidates("tracker --version ") == sorted(typer.main.get_group(app).commands)


def test_recommendation_numbers_complete_with_their_titles() -> None:
    assert candidates("tracker show ") == [str(n) for n in range(1, 33)]
    assert candidates("tracker show 3") == ["3", "30", "31", "32"]
    for command in ("update", "assess", "withdraw", "correct"):
        assert candidates(f"tracker {command} 1") == ["1", *map(str, range(10, 20))], command
    zsh = complete("tracker show 9", shell="zsh").stdout.splitlines()
    assert zsh == ["plain", "9", "Workforce strategy and standards from Health Education England"]
    fish = complete("tracker show 9", shell="fish").stdout.splitlines()
    assert fish == ["plain,9\tWorkforce strategy and standards from Health Education England"]


def test_department_codes_complete_and_narrow_to_the_owners_of_n() -> None:
    assert candidates("tracker report --dept D") == ["DHSC", "DWP", "DfE", "DCMS", "DSIT", "DRC"]
    assert candidates("tracker list --dept M") == ["MHCLG", "MoJ"]
    assert "DWP" in candidates("tracker chase --dept ") and "DWP" in candidates("tracker pack --dept ")
    # Recommendation 9 is made to DHSC and HEE, whose work NHS England carries today.
    assert candidates("tracker update 9 --dept ") == ["DHSC", "HEE", "NHSE"]
    assert candidates("tracker update --rag red 9 --dept ") == ["DHSC", "HEE", "NHSE"]
    assert candidates("tracker withdraw 9 --dept N") == ["NHSE"]
    # Local authorities make no returns themselves: OHID makes them, filed as LA's (so OHID is not offered).
    assert candidates("tracker update 11 --dept ") == ["LA"]
    assert complete("tracker update 11 --dept ", shell="zsh").stdout.splitlines() == [
        "plain",
        "LA",
        "Local authorities (via OHID)",
    ]


def test_the_workspaces_own_data_else_the_default(tmp_path: Path) -> None:
    small = new_workspace(tmp_path / "small", DATA / "minimal.yaml")
    assert candidates("tracker show ", cwd=small / "status") == ["1", "2"]
    assert candidates(f"tracker --root {small} show ") == ["1", "2"]
    assert candidates("tracker show ", cwd=tmp_path, env={"TRACKER_ROOT": str(small)}) == ["1", "2"]
    assert candidates(f"tracker --root {small} report --dept ") == ["DHSC", "MHCLG"]
    # Outside any workspace: the default data that `tracker init` copies.
    assert candidates("tracker show ", cwd=tmp_path) == [str(n) for n in range(1, 33)]


def test_completion_never_says_anything_on_stderr(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "recommendations.yaml").write_text("recommendations: [unclosed\n")
    for line in ("tracker show ", "tracker report --dept ", "tracker update 9 --dept "):
        assert candidates(line, cwd=broken) == []
    assert candidates("tracker ", cwd=broken) == sorted(typer.main.get_group(app).commands)
    # Words that make no sense: whatever can still be offered, and nothing on stderr (candidates checks).
    assert "DHSC" in candidates("tracker update notanumber --dept ", cwd=tmp_path)
    candidates("tracker nosuchcommand --what ")
    candidates("tracker show 'unclosed")
    # Instructions no script sends: nothing, silently.
    for instruction in ("tcsh_complete", "bash_nonsense", "bash"):
        result = subprocess.run(
            command(), env=os.environ | {"_TRACKER_COMPLETE": instruction}, capture_output=True, text=True, timeout=60
        )
        assert (result.returncode, result.stdout, result.stderr) == (1, "", ""), instruction
    no_words = {k: v for k, v in os.environ.items() if k not in ("COMP_WORDS", "COMP_CWORD")}
    result = subprocess.run(command(), env=no_words | {"_TRACKER_COMPLETE": "bash_complete"}, capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "")


def test_paths_complete_as_files() -> None:
    assert complete("tracker init ").stdout == "file,\n"
    assert complete("tracker import st").stdout == "file,st\n"
    assert complete("tracker pack --dept DWP --out ", shell="zsh").stdout.splitlines() == ["file", "", "_"]


def test_the_scripts_speak_the_protocol() -> None:
    for shell in ("bash", "zsh", "fish"):
        result = subprocess.run([*command(), "completion", shell], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and f"_TRACKER_COMPLETE={shell}_complete" in result.stdout, shell
    result = subprocess.run([*command(), "completion", "tcsh"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "'tcsh' is not one of" in result.stderr


@pytest.mark.skipif(shutil.which("bash") is None or os.name == "nt", reason="no bash here")
def test_bash_completes_with_the_script() -> None:
    exe = Path(command()[0])
    script = (
        f'PATH={exe.parent}:$PATH; eval "$(tracker completion bash)"; '
        "complete -p tracker; "
        'COMP_WORDS=(tracker sh); COMP_CWORD=1; _tracker_completion tracker; echo "${COMPREPLY[*]}"; '
        "COMPREPLY=(); COMP_WORDS=(tracker update 9 --dept ''); COMP_CWORD=4; _tracker_completion tracker; "
        'echo "${COMPREPLY[*]}"'
    )
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines() == ["complete -o nosort -F _tracker_completion tracker", "show", "DHSC HEE NHSE"], (
        result.stderr
    )


@pytest.mark.skipif(shutil.which("fish") is None, reason="no fish here")
def test_fish_completes_with_the_script(tmp_path: Path) -> None:
    exe = Path(command()[0])
    script = (
        f"set PATH {exe.parent} $PATH; tracker completion fish | source; complete -C 'tracker show 3'; complete -C 'tracker sh'"
    )
    env = os.environ | {"XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}
    result = subprocess.run(["fish", "--no-config", "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    lines = result.stdout.splitlines()
    assert lines[0] == "3\tRing-fence treatment, employment and housing money", result.stderr  # the whole title, commas and all
    assert [line.split("\t")[0] for line in lines] == ["3", "30", "31", "32", "show"]


def test_completing_a_command_name_reads_no_data() -> None:
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write(' '.join(m for m in ('yaml', 'sqlite3', 'rich') if m in sys.modules)))\n"
        "from tracker.cli import main\n"
        "main()\n"
    )
    env = os.environ | {"_TRACKER_COMPLETE": "bash_complete", "COMP_WORDS": "tracker ", "COMP_CWORD": "1"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines() == [f"plain,{c}" for c in sorted(typer.main.get_group(app).commands)]
    assert result.stderr == ""


def test_a_title_or_name_over_two_lines_is_one_answer_to_the_shell(tmp_path: Path) -> None:
    root = new_workspace(tmp_path / "ws", REPO / "recommendations.yaml")
    marker = root / "recommendations.yaml"
    text = marker.read_text()
    marker.write_text(
        text.replace("name: Department for Work and Pensions", 'name: "Department for\\nWork \\u001b[31mand Pensions"')
    )
    env = {**os.environ, "_TRACKER_COMPLETE": "zsh_complete", "COMP_WORDS": "tracker report --dept ", "COMP_CWORD": "3"}
    out = subprocess.run([sys.executable, "-m", "tracker"], cwd=root, env=env, capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert len(lines) % 3 == 0 and "\x1b" not in out.stdout  # zsh reads three lines an answer
    answers = {lines[i + 1]: lines[i + 2] for i in range(0, len(lines), 3)}
    assert answers["DWP"] == "Department for Work [31mand Pensions"
