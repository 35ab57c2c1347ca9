"""Shared fixtures: the real corpus, a session index built from it, a CLI runner, search apps."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from newsearch.index.corpus import sample_paths
from newsearch.index.store import IndexStore
from newsearch.search.engine import Engine
from newsearch.webui import core
from newsearch.webui.app import create_app

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


@pytest.fixture()
def make_app() -> Iterator[Callable[[Path], Flask]]:
    """Search apps on any index folder; each one's engine is closed after the test."""
    made: list[Flask] = []

    def make(index: Path) -> Flask:
        app = create_app({"INDEX_DIR": str(index), "TESTING": True})
        made.append(app)
        return app

    yield make
    for app in made:
        core.close(app)


@pytest.fixture(scope="module")
def app(built_index: Path) -> Iterator[Flask]:
    """The search app on the session index, one per test module (a module may override it)."""
    application = create_app({"INDEX_DIR": str(built_index), "TESTING": True})
    yield application
    core.close(application)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


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
