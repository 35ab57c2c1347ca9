"""Concurrency: one writer at a time, clear refusals, consistent snapshots for readers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh.filedb.filestore import FileStorage

from newsearch.index.errors import IndexLockedError
from newsearch.index.store import INDEX_NAME, IndexStore
from newsearch.search.cli import main
from newsearch.search.engine import Engine, SearchRequest

CLI = [sys.executable, "-c", "from newsearch.search.cli import main; main()"]
LOCKED = "is being updated by another process"


def write_items(path: Path, start: int, count: int, tag: str = "") -> Path:
    lines = [
        json.dumps(
            {
                "title": f"Labour inspection report {i} {tag}".strip(),
                "summary": f"Inspectors visited factory {i} about forced labour and wages.",
                "date": f"2019-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "url": f"https://example.org/c/{i}",
            }
        )
        for i in range(start, start + count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ids(path: Path) -> list[str]:
    ix = IndexStore(path).open()
    with ix.searcher() as searcher:
        return [fields["id"] for fields in searcher.all_stored_fields()]


@pytest.fixture()
def held_lock(index_copy: Path) -> Iterator[Path]:
    """The index's write lock, held by this process as another writer would hold it."""
    lock = FileStorage(str(index_copy)).lock(f"{INDEX_NAME}_WRITELOCK")
    assert lock.acquire()
    try:
        yield index_copy
    finally:
        if lock.fd is not None:
            lock.release()


# ---------------------------------------------------------------------------------------------
# A second writer


def test_second_writer_process_gets_a_clear_message(held_lock: Path, tmp_path: Path) -> None:
    extra = write_items(tmp_path / "extra.jsonl", 0, 5)
    before = sorted(ids(held_lock))
    done = subprocess.run(
        [*CLI, "index", "--index", str(held_lock), str(extra)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    assert LOCKED in done.stderr
    assert "--wait" in done.stderr  # the hint says how to wait instead
    assert "Traceback" not in done.stderr + done.stdout
    assert sorted(ids(held_lock)) == before


def test_second_writer_in_process(held_lock: Path, tmp_path: Path, runner: CliRunner) -> None:
    extra = write_items(tmp_path / "extra.jsonl", 0, 5)
    with pytest.raises(IndexLockedError, match=LOCKED):
        IndexStore(held_lock).build([extra])
    # the Ctrl-C handler the build installs is gone again, whatever way it ended
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    result = runner.invoke(main, ["index", "--index", str(held_lock), str(extra)])
    assert result.exit_code == 3
    assert isinstance(result.exception, SystemExit)
    assert LOCKED in result.output


def test_wait_gives_up_after_the_timeout(held_lock: Path, tmp_path: Path) -> None:
    extra = write_items(tmp_path / "extra.jsonl", 0, 5)
    started = time.monotonic()
    with pytest.raises(IndexLockedError, match=r"waited 0\.3 s"):
        IndexStore(held_lock).build([extra], wait=0.3)
    assert 0.25 <= time.monotonic() - started < 5


def test_wait_proceeds_once_the_other_writer_is_done(
    index_copy: Path, tmp_path: Path, runner: CliRunner
) -> None:
    extra = write_items(tmp_path / "extra.jsonl", 0, 5)
    before = len(ids(index_copy))
    lock = FileStorage(str(index_copy)).lock(f"{INDEX_NAME}_WRITELOCK")
    assert lock.acquire()
    releaser = threading.Timer(0.5, lock.release)
    releaser.start()
    started = time.monotonic()
    try:
        result = runner.invoke(
            main, ["index", "--index", str(index_copy), "--wait", "30", str(extra)]
        )
    finally:
        releaser.join()
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 0.4
    assert len(ids(index_copy)) == before + 5


def test_two_writers_with_wait_both_land_every_item_once(tmp_path: Path) -> None:
    index = tmp_path / "index"
    first = write_items(tmp_path / "a.jsonl", 0, 150)
    second = write_items(tmp_path / "b.jsonl", 100, 150)  # 50 items in common
    procs = [
        subprocess.Popen(
            [*CLI, "index", "--index", str(index), "--wait", "120", "--format", "json", str(f)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in (first, second)
    ]
    outputs = [p.communicate(timeout=240) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    reports = [json.loads(out) for out, _ in outputs]
    assert sorted(r["added"] for r in reports) in ([100, 150], [150, 150])
    found = ids(index)
    assert len(found) == len(set(found)) == 250


def test_sigkilled_writer_leaves_no_stale_lock(tmp_path: Path) -> None:
    """The lock is an flock: the kernel releases it with the killed process."""
    index = tmp_path / "index"
    IndexStore(index).build([write_items(tmp_path / "a.jsonl", 0, 20)])
    big = write_items(tmp_path / "big.jsonl", 1000, 1500)
    proc = subprocess.Popen(
        [*CLI, "index", "--index", str(index), str(big)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (index / f"{INDEX_NAME}.tmp").exists():  # it holds the lock and writes
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert (index / f"{INDEX_NAME}_WRITELOCK").exists()  # the file stays; the lock does not
    report = IndexStore(index).build([write_items(tmp_path / "c.jsonl", 5000, 3)])
    assert report.added == 3 and report.total == 23


# ---------------------------------------------------------------------------------------------
# Readers during writes

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from newsearch.index.store import IndexStore

    index, rounds, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    for number in range(rounds):
        # one commit per run, however slow a busy machine reads (no timed batch commit)
        path = Path(files[number % len(files)])
        IndexStore(index).build([path], rebuild=True, batch_seconds=3600)
        print(number, flush=True)
    """
)


def test_searches_during_commits_see_whole_snapshots(tmp_path: Path) -> None:
    """A writer process replaces the index's items again and again; every search sees all the
    items of one commit or of another, never a mixture, and the engine follows each commit
    without a restart."""
    index = tmp_path / "index"
    small = write_items(tmp_path / "small.jsonl", 0, 60, "small")
    large = write_items(tmp_path / "large.jsonl", 1000, 240, "large")
    IndexStore(index).build([small])
    snapshots = {
        60: {f"https://example.org/c/{i}" for i in range(60)},
        240: {f"https://example.org/c/{i}" for i in range(1000, 1240)},
    }
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    writer = subprocess.Popen(
        [sys.executable, str(script), str(index), "6", str(large), str(small)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    engine = Engine(index)
    seen: set[int] = set()
    changes = 0
    searches = 0
    last = None
    try:
        while writer.poll() is None or searches == 0:
            result = engine.search(SearchRequest("", limit=1000))
            urls = {hit.url for hit in result.hits}
            assert result.total in snapshots, result.total
            assert len(result.hits) == result.total
            assert urls == snapshots[result.total]
            labour = engine.count("labour")
            assert labour in snapshots  # every item mentions labour: a whole snapshot again
            fresh = IndexStore(index).open()  # a new reader, opened while commits happen
            assert fresh.doc_count() in snapshots
            seen.add(result.total)
            changes += last is not None and last != result.total
            last = result.total
            searches += 1
        out, err = writer.communicate(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.communicate()
        engine.close()
    assert writer.returncode == 0, err
    assert out.split() == [str(n) for n in range(6)]
    assert seen == {60, 240}, "the engine never saw a new commit"
    assert changes >= 1
    engine = Engine(index)
    try:
        assert engine.count("") == 60  # the last commit indexed the small file
    finally:
        engine.close()


def test_engine_picks_up_a_commit_without_a_restart(tmp_path: Path) -> None:
    index = tmp_path / "index"
    IndexStore(index).build([write_items(tmp_path / "a.jsonl", 0, 10)])
    engine = Engine(index)
    try:
        assert engine.count("") == 10
        IndexStore(index).build([write_items(tmp_path / "b.jsonl", 10, 5)])
        assert engine.count("") == 15
        hit = engine.search(SearchRequest("report 12", limit=1)).hits[0]
        assert engine.get(hit.id).title == hit.title
        IndexStore(index).build([write_items(tmp_path / "c.jsonl", 100, 3)], rebuild=True)
        assert engine.count("") == 3
    finally:
        engine.close()


def test_an_open_searcher_outlives_the_files_a_commit_removes(tmp_path: Path) -> None:
    """A rebuild deletes the old segment's files; a searcher opened before keeps reading them:
    stored fields, field lengths (scores) and sortable dates alike."""
    from whoosh import query
    from whoosh.sorting import FieldFacet

    index = tmp_path / "index"
    IndexStore(index).build([write_items(tmp_path / "a.jsonl", 0, 30)])
    ix = IndexStore(index).open()
    with ix.searcher() as searcher:
        old_files = {p.name for p in index.iterdir() if p.name.startswith(f"{INDEX_NAME}_")}
        IndexStore(index).build([write_items(tmp_path / "b.jsonl", 100, 5)], rebuild=True)
        new_files = {p.name for p in index.iterdir() if p.name.startswith(f"{INDEX_NAME}_")}
        assert old_files - new_files, "the commit removed none of the old files"
        assert searcher.doc_count() == 30
        assert len(list(searcher.all_stored_fields())) == 30
        scored = searcher.search(query.Term("title", "report"), limit=None)
        assert len(scored) == 30 and scored.score(0) > 0
        dated = searcher.search(query.Every(), sortedby=FieldFacet("date"), limit=None)
        assert dated[0]["url"] == "https://example.org/c/0"  # 2019-01-01, the earliest
        assert not searcher.up_to_date()


def test_export_is_one_snapshot_even_if_the_engine_refreshes(tmp_path: Path) -> None:
    index = tmp_path / "index"
    IndexStore(index).build([write_items(tmp_path / "a.jsonl", 0, 300)])
    engine = Engine(index)
    try:
        stream = engine.export(SearchRequest("", limit=1))
        first = [next(stream).url for _ in range(10)]
        IndexStore(index).build([write_items(tmp_path / "b.jsonl", 1000, 100)], rebuild=True)
        engine.search(SearchRequest("labour"))  # another request picks up the commit
        urls = first + [hit.url for hit in stream]
        assert None not in urls
    finally:
        engine.close()
    assert sorted(str(url) for url in urls) == sorted(
        f"https://example.org/c/{i}" for i in range(300)
    )


def test_readers_never_take_the_write_lock(index_copy: Path) -> None:
    """Searching works while a writer holds the lock (the lock is for writers only)."""
    lock = FileStorage(str(index_copy)).lock(f"{INDEX_NAME}_WRITELOCK")
    assert lock.acquire()
    try:
        engine = Engine(index_copy)
        try:
            assert engine.count("") > 0
        finally:
            engine.close()
    finally:
        lock.release()
    assert os.path.exists(index_copy / f"{INDEX_NAME}_WRITELOCK")
