"""Shared fixtures: the real shared corpus, a session index built from it, and a CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsearch.index.corpus import sample_paths
from newsearch.index.store import IndexStore
from newsearch.search.engine import Engine

REPO = Path(__file__).resolve().parent.parent
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real ILO dumps: ../shared/corpus when present, else the copies the package ships."""
    if SHARED_CORPUS.is_dir() and any(SHARED_CORPUS.glob("*.txt")):
        return SHARED_CORPUS
    return sample_paths()[0].parent


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """An index of the real corpus, built once per test session. Treat it as read-only."""
    path = tmp_path_factory.mktemp("index")
    report = IndexStore(path).build([corpus_dir])
    assert report.ok and report.total > 0
    return path


@pytest.fixture()
def index_copy(built_index: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the session index."""
    target = tmp_path / "index"
    shutil.copytree(built_index, target)
    return target


@pytest.fixture(scope="session")
def engine(built_index: Path) -> Iterator[Engine]:
    engine = Engine(built_index)
    yield engine
    engine.close()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


# -- synthetic data at 10,000 items (research features) --------------------------------------


@pytest.fixture(scope="session")
def synthetic_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of 10,000 synthetic items whose counts are known (see tests/synthetic.py)."""
    import synthetic

    folder = tmp_path_factory.mktemp("synthetic")
    source = synthetic.write(folder / "items.jsonl", 10_000)
    path = folder / "index"
    report = IndexStore(path).build([source])
    assert report.ok and report.total == 10_000
    return path
