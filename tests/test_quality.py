"""The code base stays lint- and type-clean: ruff and mypy --strict over the whole package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    found = shutil.which(
        name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    )
    if found is None:
        pytest.fail(f"{name} is not installed; install the test extras: pip install -e '.[test]'")
    return found


def test_ruff_is_clean() -> None:
    done = subprocess.run([_tool("ruff"), "check", "."], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_clean() -> None:
    done = subprocess.run(
        [_tool("ruff"), "format", "--check", "."], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_is_clean(tmp_path: Path) -> None:
    # The package's parts live in top-level folders; mirror the installed layout for mypy.
    package = tmp_path / "newsearch"
    package.mkdir()
    for part in ("index", "search", "webui"):
        (package / part).symlink_to(REPO / part)
    done = subprocess.run(
        [
            _tool("mypy"),
            "--config-file",
            str(REPO / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            "-p",
            "newsearch",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_top_level_search_index_or_webui_module(tmp_path: Path) -> None:
    """Installed, the package is `newsearch` alone: no module called search, index or webui."""
    code = (
        "import importlib.util, sys; sys.path = [p for p in sys.path if p not in ('', '.')]; "
        "print([n for n in ('search','index','webui') if importlib.util.find_spec(n)])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_core_never_imports_the_web_ui() -> None:
    for path in (REPO / "index").rglob("*.py"):
        assert "webui" not in path.read_text(encoding="utf-8"), path
    for path in (REPO / "search").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name != "cli.py":  # `newsearch serve` is the one edge that starts the web UI
            assert "newsearch.webui" not in text, path
        assert "flask" not in text.lower() or path.name == "cli.py", path
