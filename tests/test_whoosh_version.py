"""newsearch runs only on the whoosh-reloaded version whose private classes it relies on, and
says what to install when another is found."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import whoosh

from newsearch.index.whoosh_compat import WHOOSH_VERSION, check_whoosh_version

REPO = Path(__file__).resolve().parent.parent


def test_the_installed_whoosh_is_the_pinned_one() -> None:
    assert whoosh.versionstring() == WHOOSH_VERSION
    check_whoosh_version(whoosh.versionstring())


def test_the_version_checked_is_the_version_pyproject_pins() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [d for d in project["dependencies"] if re.match(r"(?i)whoosh[-_]reloaded\b", d)]
    assert pins == [f"whoosh-reloaded=={WHOOSH_VERSION}"]


@pytest.mark.parametrize("version", ["2.7.4", "2.7.6", "2.8.0", "3.0.0", "2.7", "", "2.7.5a1"])
def test_another_version_is_refused_with_what_to_install(version: str) -> None:
    with pytest.raises(ImportError) as refused:
        check_whoosh_version(version)
    message = str(refused.value)
    assert f"whoosh-reloaded {WHOOSH_VERSION} exactly" in message
    assert f"but {version} is installed" in message
    assert f"pip install 'whoosh-reloaded=={WHOOSH_VERSION}'" in message
