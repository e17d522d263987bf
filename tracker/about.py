"""What tracker is, as installed: the name it is distributed under and its version."""

from __future__ import annotations

# The name on the package index; the command and the package are `tracker` (on PyPI, "tracker"
# is an unrelated project). pyproject.toml's `name` says the same, and a test checks it.
DISTRIBUTION = "drugs-review-tracker"


def version() -> str | None:
    """tracker's version as its installed metadata says (written once, in pyproject.toml); None
    when it runs from a folder without being installed."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed(DISTRIBUTION)
    except PackageNotFoundError:
        return None


def origin() -> str | None:
    """Where this tracker was installed from, as pip takes it, when any machine can reach it: a git
    repository at the very commit (git+URL@COMMIT), or an archive's http(s) URL (PEP 610's
    direct_url.json says). None for a package index, a folder or a file on this machine, or a URL
    that carries credentials (they would end up in the board's workflow)."""
    import json
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        info = json.loads(distribution(DISTRIBUTION).read_text("direct_url.json") or "null")
    except (PackageNotFoundError, ValueError):
        return None
    if not isinstance(info, dict):
        return None
    url = info.get("url")
    if not isinstance(url, str) or not url.startswith("https://") or not url.isprintable() or " " in url:
        return None
    if "@" in url.split("/")[2] or "${{" in url:
        return None
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git":
        commit = vcs.get("commit_id")
        return f"git+{url}@{commit}" if isinstance(commit, str) and commit.isalnum() else None
    return url if isinstance(info.get("archive_info"), dict) else None
