"""A damaged index, unreadable files or a full disk: a clear message and the way out, never a
traceback, from every command that touches the index."""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from whoosh.filedb.filestore import FileStorage

import newsearch.index.store as store_module
from newsearch.index.errors import IndexDamagedError, IndexWriteError
from newsearch.index.store import INDEX_NAME, IndexStore
from newsearch.search.cli import main

REBUILD = "newsearch index --rebuild"
CLI = [sys.executable, "-c", "from newsearch.search.cli import main; main()"]


def clean_exit(result: Result, code: int) -> str:
    """The command ended with ``code`` through sys.exit, not an exception; its output."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    return result.output


def segment_file(index: Path, kind: str = "") -> Path:
    """One file of the index's segment: the one ending in ``kind``, else the largest."""
    files = [p for p in index.glob(f"{INDEX_NAME}_*.*") if not p.name.endswith(".json")]
    if kind:
        return next(p for p in files if p.name.endswith(kind))
    return max(files, key=lambda p: p.stat().st_size)


def toc(index: Path) -> Path:
    return next(p for p in index.iterdir() if re.fullmatch(rf"_{INDEX_NAME}_\d+\.toc", p.name))


def overwrite(path: Path) -> None:
    path.write_bytes(b"\x07" * 3000)


def cut(kind: str, keep: float) -> Callable[[Path], None]:
    def damage(index: Path) -> None:
        path = segment_file(index, kind)
        os.truncate(path, min(int(path.stat().st_size * keep), path.stat().st_size - 1))

    return damage


def delete(kind: str) -> Callable[[Path], None]:
    return lambda index: segment_file(index, kind).unlink()


# A segment is a handful of files (terms, postings, one per column); each can be cut short or
# lost. Which ones exist depends on how segments are written; the largest always does.
DAMAGES: dict[str, Callable[[Path], None]] = {
    "largest segment file emptied": cut("", 0.0),
    "largest segment file cut in half": cut("", 0.5),
    "largest segment file missing its last byte": cut("", 1.0),
    "largest segment file deleted": delete(""),
    "terms cut in half": cut(".trm", 0.5),
    "postings deleted": delete(".pst"),
    "stored fields cut short": cut("_stored.col", 0.9),
    "stored fields deleted": delete("_stored.col"),
    "dates cut in half": cut(".date.col", 0.5),
    "field lengths deleted": delete("_title_len.col"),
    "table of contents deleted": lambda index: toc(index).unlink(),
    "table of contents cut short": lambda index: os.truncate(toc(index), 40),
    "table of contents overwritten": lambda index: overwrite(toc(index)),
}
SPLIT_ONLY = {"terms", "postings", "stored", "dates", "field"}  # need separate segment files


def item_id(index: Path) -> str:
    ix = IndexStore(index).open()
    with ix.searcher() as searcher:
        return str(next(iter(searcher.all_stored_fields()))["id"])


@pytest.fixture()
def extra(tmp_path: Path) -> Path:
    path = tmp_path / "extra.jsonl"
    path.write_text(
        json.dumps({"title": "Forced labour in fishing", "url": "https://example.org/x"}) + "\n",
        encoding="utf-8",
    )
    return path


def commands(index: Path, extra: Path, some_id: str) -> dict[str, list[str]]:
    at = ["--index", str(index)]
    return {
        "query": ["query", "forced labour", *at],
        "show": ["show", some_id, *at],
        "stats": ["stats", *at],
        "export": ["export", *at],
        "similar": ["similar", some_id, *at],
        "index": ["index", str(extra), *at],
    }


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damaged_index_gives_message_and_way_out(
    damage: str, index_copy: Path, extra: Path, corpus_dir: Path, runner: CliRunner
) -> None:
    if damage.split()[0] in SPLIT_ONLY and not list(index_copy.glob("*.trm")):
        pytest.skip("segments are written as one compound file")
    some_id = item_id(index_copy)
    DAMAGES[damage](index_copy)
    for name, args in commands(index_copy, extra, some_id).items():
        output = clean_exit(runner.invoke(main, args), 3)
        assert "damaged" in output, (name, output)
        assert REBUILD in output, (name, output)
    if damage not in {
        "largest segment file cut in half",
        "stored fields deleted",
        "table of contents overwritten",
    }:
        return
    # the way out works, and leaves nothing of the damaged index behind
    clean_exit(
        runner.invoke(main, ["index", "--rebuild", str(corpus_dir), "--index", str(index_copy)]), 0
    )
    output = clean_exit(
        runner.invoke(main, ["stats", "--index", str(index_copy), "--format", "json"]), 0
    )
    assert json.loads(output)["items"] > 0
    segments = {p.name.split(".")[0] for p in index_copy.glob(f"{INDEX_NAME}_*.*")}
    assert len(segments) == 1, segments  # the damaged segment's files are gone
    assert len([p for p in index_copy.iterdir() if p.name.endswith(".toc")]) == 1


def test_damage_is_reported_by_open_as_a_domain_error(index_copy: Path) -> None:
    cut("", 0.3)(index_copy)
    with pytest.raises(IndexDamagedError) as caught:
        IndexStore(index_copy).open()
    assert "--rebuild" in caught.value.hint
    assert IndexStore(index_copy).exists()  # damaged still counts as an index, not as none


def test_a_failed_open_is_retried_when_a_commit_removes_a_file(
    index_copy: Path, extra: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader that starts just before a commit may look for a file the commit deletes; it
    then reads the new generation instead of reporting damage."""
    before = IndexStore(index_copy).open().doc_count()
    original = FileStorage.open_file
    raced = False

    def open_file(self: Any, name: str, **kwargs: Any) -> Any:
        nonlocal raced
        if not raced:
            raced = True
            IndexStore(index_copy).build([extra])  # a commit lands right now
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", name)
        return original(self, name, **kwargs)

    monkeypatch.setattr(FileStorage, "open_file", open_file)
    assert IndexStore(index_copy).open().doc_count() == before + 1


def test_a_missing_file_is_reported_at_once(index_copy: Path) -> None:
    delete("")(index_copy)
    started = time.monotonic()
    with pytest.raises(IndexDamagedError, match="is missing"):
        IndexStore(index_copy).open()
    assert time.monotonic() - started < 1.0


# ---------------------------------------------------------------------------------------------
# Permissions


def permission_denied(*args: Any, **kwargs: Any) -> Any:
    raise PermissionError(errno.EACCES, "Permission denied")


def test_unreadable_index_files(
    index_copy: Path, extra: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    some_id = item_id(index_copy)
    monkeypatch.setattr(FileStorage, "open_file", permission_denied)
    for name, args in commands(index_copy, extra, some_id).items():
        output = clean_exit(runner.invoke(main, args), 3)
        assert "Permission denied" in output, (name, output)
        assert "permissions" in output, (name, output)


def test_unlistable_index_folder(
    index_copy: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    listdir = os.listdir

    def guarded(path: Any = ".") -> list[str]:
        if Path(path) == index_copy:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return listdir(path)

    monkeypatch.setattr(os, "listdir", guarded)
    for args in (["stats"], ["query", "labour"]):
        output = clean_exit(runner.invoke(main, [*args, "--index", str(index_copy)]), 3)
        assert "Permission denied" in output and "permissions" in output


def test_unwritable_index_files(
    index_copy: Path, extra: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = IndexStore(index_copy).open().doc_count()
    monkeypatch.setattr(FileStorage, "create_file", permission_denied)
    output = clean_exit(runner.invoke(main, ["index", str(extra), "--index", str(index_copy)]), 3)
    assert "could not write the index" in output and "Permission denied" in output
    assert "permissions" in output
    monkeypatch.undo()
    assert IndexStore(index_copy).open().doc_count() == before


def test_unlockable_index(index_copy: Path, extra: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from whoosh.util.filelock import FcntlLock

    monkeypatch.setattr(FcntlLock, "acquire", permission_denied)
    with pytest.raises(IndexWriteError, match="cannot lock the index"):
        IndexStore(index_copy).build([extra])


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not bind root")
def test_real_permissions(index_copy: Path, extra: Path, runner: CliRunner) -> None:
    seg = segment_file(index_copy)
    seg.chmod(0)
    try:
        output = clean_exit(runner.invoke(main, ["stats", "--index", str(index_copy)]), 3)
        assert "Permission denied" in output
    finally:
        seg.chmod(0o644)
    index_copy.chmod(0o555)
    try:
        output = clean_exit(
            runner.invoke(main, ["index", str(extra), "--index", str(index_copy)]), 3
        )
        assert "Permission denied" in output
    finally:
        index_copy.chmod(0o755)


# ---------------------------------------------------------------------------------------------
# A full disk: every file Whoosh creates in the index folder shares a budget of free bytes


class Disk:
    free: int | None = None
    written = 0


class FullDiskFile:
    def __init__(self, file: Any) -> None:
        self._file = file

    def write(self, data: bytes) -> int:
        if Disk.free is not None and Disk.written + len(data) > Disk.free:
            raise OSError(errno.ENOSPC, "No space left on device")
        Disk.written += len(data)
        return int(self._file.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


@pytest.fixture()
def disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[Disk]]:
    original = FileStorage.create_file

    def create_file(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        handle = original(self, name, *args, **kwargs)
        handle.file = FullDiskFile(handle.file)
        return handle

    monkeypatch.setattr(FileStorage, "create_file", create_file)
    Disk.free, Disk.written = None, 0
    yield Disk
    Disk.free, Disk.written = None, 0


def state(index: Path) -> list[tuple[str, str]]:
    ix = IndexStore(index).open()
    with ix.searcher() as searcher:
        return sorted((f["id"], f["digest"]) for f in searcher.all_stored_fields())


def test_full_disk_at_any_point_of_a_write(
    index_copy: Path, tmp_path: Path, disk: type[Disk], runner: CliRunner
) -> None:
    corpus = tmp_path / "more.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps(
                {
                    "title": f"Domestic workers' wages, report {i}",
                    "summary": "Migrant domestic workers and forced labour. " * 5,
                    "url": f"https://example.org/d/{i}",
                }
            )
            for i in range(150)
        ),
        encoding="utf-8",
    )
    pristine = tmp_path / "pristine"
    import shutil

    shutil.copytree(index_copy, pristine)
    before = state(pristine)
    # How much a successful run writes
    IndexStore(index_copy).build([corpus])
    needed = disk.written
    assert needed > 10_000
    for fraction in (0.0, 0.001, 0.05, 0.2, 0.5, 0.8, 0.95, 0.999, 0.99999):
        shutil.rmtree(index_copy)
        shutil.copytree(pristine, index_copy)
        disk.free, disk.written = int(needed * fraction), 0
        result = runner.invoke(main, ["index", str(corpus), "--index", str(index_copy)])
        disk.free = None
        output = clean_exit(result, 3)
        assert "No space left on device" in output, fraction
        assert "nothing from this run was committed" in output
        assert "free space" in output  # the hint
        assert state(index_copy) == before, fraction
        # once there is room again, the same command completes and cleans up after the failure
        clean_exit(runner.invoke(main, ["index", str(corpus), "--index", str(index_copy)]), 0)
        assert len(state(index_copy)) == len(before) + 150
        names = [p.name for p in index_copy.iterdir()]
        assert len([n for n in names if n.endswith(".toc")]) == 1, names
        assert not [n for n in names if ".toc." in n or n.startswith(".")], names


def test_a_first_import_on_a_full_disk_leaves_an_empty_index_and_no_segment(
    tmp_path: Path, disk: type[Disk], runner: CliRunner
) -> None:
    corpus = tmp_path / "first.jsonl"
    corpus.write_text(
        "\n".join(json.dumps({"title": f"Fishers' wages, report {i}"}) for i in range(60)),
        encoding="utf-8",
    )
    index = tmp_path / "index"
    disk.free, disk.written = 4_000, 0  # room for the table of contents, not for the items
    result = runner.invoke(main, ["index", str(corpus), "--index", str(index)])
    disk.free = None
    output = clean_exit(result, 3)
    assert "No space left on device" in output and "nothing from this run was committed" in output
    names = sorted(p.name for p in index.iterdir())
    assert not [
        n for n in names if n.startswith(f"{INDEX_NAME}_") and n != f"{INDEX_NAME}_WRITELOCK"
    ], names
    # what is left is a valid, empty index
    empty = runner.invoke(main, ["query", "wages", "--index", str(index)])
    assert empty.exit_code == 1 and "the index is empty" in empty.stderr


def test_full_disk_when_writing_the_metadata(
    index_copy: Path, extra: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(json, "dump", no_space)
    result = runner.invoke(main, ["index", str(extra), "--index", str(index_copy)])
    output = clean_exit(result, 0)  # the items were committed; the warning says what was not
    assert "newsearch.json" in output and "No space left on device" in output
    assert not [p for p in index_copy.iterdir() if p.name.startswith(".meta-")]
    monkeypatch.undo()
    assert IndexStore(index_copy).open().doc_count() == len(state(index_copy))


def test_full_disk_when_writing_the_stem_table(
    index_copy: Path, extra: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module, "_write_stem_table", no_space)
    count = IndexStore(index_copy).open().doc_count()
    report = IndexStore(index_copy).build([extra])
    assert report.added == 1 and report.total == count + 1
    assert any("stems.tsv" in p.path and "No space" in p.message for p in report.problems)


def test_cannot_create_the_index_folder(tmp_path: Path, extra: Path, runner: CliRunner) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    output = clean_exit(
        runner.invoke(main, ["index", str(extra), "--index", str(blocker / "index")]), 3
    )
    assert "cannot create the index folder" in output


@pytest.mark.parametrize("target", ["/dev/full", "/nonexistent-folder/out.jsonl"])
def test_output_that_cannot_be_written(target: str, index_copy: Path) -> None:
    if target == "/dev/full" and not Path(target).exists():
        pytest.skip("no /dev/full")
    done = subprocess.run(  # not in-process: the failed export leaves open files behind
        [*CLI, "export", "-o", target, "--index", str(index_copy)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert "error" in done.stderr
