"""Indexing in batches: what a kill, Ctrl-C, a re-run, --prune and --rebuild leave behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsearch.index.store import IndexStore, Progress
from newsearch.search.cli import main
from newsearch.search.engine import Engine
from newsearch.search.output import render_progress

CLI = [sys.executable, "-c", "from newsearch.search.cli import main; main()"]


def write_records(path: Path, numbers: range, version: int = 0) -> Path:
    lines = [
        json.dumps(
            {
                "title": f"Item {i} on forced labour in fishing",
                "summary": f"version {version} of item {i}",
                "url": f"https://example.org/b/{i}",
                "date": f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            }
        )
        for i in numbers
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stored(index: Path) -> dict[str, str]:
    """url -> summary; fails if an item is there twice."""
    ix = IndexStore(index).open()
    with ix.searcher() as searcher:
        rows = list(searcher.all_stored_fields())
    urls = [row["url"] for row in rows]
    assert len(urls) == len(set(urls)), "an item is in the index twice"
    return {row["url"]: row["summary"] for row in rows}


def count(index: Path) -> int:
    with IndexStore(index).open().searcher() as searcher:
        return int(searcher.doc_count())


def test_a_run_commits_in_batches_and_reports_progress(tmp_path: Path) -> None:
    index = tmp_path / "index"
    source = write_records(tmp_path / "a.jsonl", range(250))
    seen: list[tuple[int, int]] = []  # (items read, items committed) as the run went
    progress: list[Progress] = []

    def on_progress(p: Progress) -> None:
        progress.append(p)
        seen.append((p.items, count(index) if p.committed else 0))

    report = IndexStore(index).build([source], batch_items=100, on_progress=on_progress)
    assert (report.added, report.commits, report.committed, report.total) == (250, 3, 250, 250)
    assert progress[-1].items == 250 and progress[-1].bytes_done == source.stat().st_size
    # while the run went on, the batches before were already searchable
    assert any(committed >= 100 for _, committed in seen)
    line = render_progress(progress[-1])
    assert "250 items" in line and "/s" in line and "100%" in line


def test_a_killed_first_import_keeps_its_batches_and_a_rerun_goes_on(tmp_path: Path) -> None:
    index = tmp_path / "index"
    source = write_records(tmp_path / "a.jsonl", range(2000))
    env = {**os.environ, "NEWSEARCH_BATCH": "200"}
    proc = subprocess.Popen(
        [*CLI, "index", "--index", str(index), str(source)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 120
        while True:  # kill it once a batch or two are in
            assert proc.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline
            if IndexStore(index).exists():
                try:
                    if count(index) >= 400:
                        break
                except Exception:
                    pass
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    kept = stored(index)
    assert 400 <= len(kept) < 2000
    with Engine(index) as engine:  # every command works on what was committed
        assert engine.count("") == len(kept)
    report = IndexStore(index).build([source])
    assert (report.added, report.unchanged, report.duplicates) == (2000 - len(kept), len(kept), 0)
    assert len(stored(index)) == 2000


def test_every_import_reports_stale_items_and_prune_removes_them(
    tmp_path: Path, runner: CliRunner
) -> None:
    index = tmp_path / "index"
    source = write_records(tmp_path / "a.jsonl", range(10))
    other = write_records(tmp_path / "b.jsonl", range(100, 103))
    IndexStore(index).build([source, other])
    write_records(source, range(6))  # four items taken out of the file
    result = runner.invoke(main, ["index", "--index", str(index), str(source)])
    assert result.exit_code == 0, result.output
    assert "4 item(s) are no longer in the files they were read from" in result.stderr
    assert "--prune" in result.stderr
    assert len(stored(index)) == 13  # reported, not removed
    result = runner.invoke(main, ["index", "--index", str(index), "--prune", str(source)])
    assert result.exit_code == 0, result.output
    assert "4 item(s) removed" in result.stderr
    after = stored(index)
    assert len(after) == 9  # the six left in a.jsonl, and b.jsonl's three untouched
    assert {f"https://example.org/b/{i}" for i in (100, 101, 102)} <= set(after)


def test_a_file_that_could_not_be_read_makes_no_item_stale(tmp_path: Path) -> None:
    index = tmp_path / "index"
    source = write_records(tmp_path / "a.jsonl", range(5))
    IndexStore(index).build([source])
    source.write_bytes(b"\x00\x01binary" * 100)
    report = IndexStore(index).build([source], prune=True)
    assert report.failed_files == 1 and report.stale == 0 and report.removed == 0
    assert len(stored(index)) == 5


def test_a_rebuild_that_would_empty_the_index_asks_first(tmp_path: Path, runner: CliRunner) -> None:
    index = tmp_path / "index"
    IndexStore(index).build([write_records(tmp_path / "a.jsonl", range(20))])
    small = write_records(tmp_path / "small.jsonl", range(500, 502))
    empty = tmp_path / "empty"
    empty.mkdir()
    # in a pipe there is nobody to ask: nothing is removed without --yes
    for target in (empty, small):
        result = runner.invoke(main, ["index", "--rebuild", "--index", str(index), str(target)])
        assert result.exit_code == 3, result.output
        assert "nothing was removed (pass --yes to remove them)" in result.stderr
    assert len(stored(index)) == 22  # the two read were added, the twenty kept
    result = runner.invoke(main, ["index", "--rebuild", "--yes", "--index", str(index), str(small)])
    assert result.exit_code == 0, result.output
    assert "20 item(s) removed" in result.stderr
    assert set(stored(index)) == {"https://example.org/b/500", "https://example.org/b/501"}
    # a rebuild that keeps more than it removes needs no question
    bigger = write_records(tmp_path / "big.jsonl", range(500, 510))
    result = runner.invoke(main, ["index", "--rebuild", "--index", str(index), str(bigger)])
    assert result.exit_code == 0, result.output
    assert len(stored(index)) == 10


def test_the_question_is_asked_on_a_terminal(tmp_path: Path, monkeypatch: Any) -> None:
    index = tmp_path / "index"
    IndexStore(index).build([write_records(tmp_path / "a.jsonl", range(5))])
    small = write_records(tmp_path / "small.jsonl", range(500, 501))
    asked: list[tuple[int, int]] = []

    def confirm(removed: int, kept: int) -> bool:
        asked.append((removed, kept))
        return False

    report = IndexStore(index).build([small], rebuild=True, confirm=confirm)
    assert asked == [(5, 1)] and report.removal_refused == 5 and not report.ok
    assert len(stored(index)) == 6


@pytest.mark.parametrize("contents", ["only.html", "only.pdf", None])
def test_a_folder_with_nothing_readable_is_an_error(
    tmp_path: Path, runner: CliRunner, contents: str | None
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    if contents:
        (folder / contents).write_bytes(b"%PDF-1.4 not for us")
    result = runner.invoke(main, ["index", "--index", str(tmp_path / "index"), str(folder)])
    assert result.exit_code == 3, result.output
    assert "newsearch reads" in result.stderr and ".jsonl" in result.stderr
    if contents:
        assert "only files newsearch cannot read (1 ." in result.stderr


def test_a_folder_with_some_unreadable_files_says_which_were_left_out(
    tmp_path: Path, runner: CliRunner
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    write_records(folder / "a.jsonl", range(3))
    (folder / "page.html").write_text("<p>hello</p>")
    result = runner.invoke(main, ["index", "--index", str(tmp_path / "index"), str(folder)])
    assert result.exit_code == 0, result.output
    assert "left out files newsearch cannot read: 1 .html" in result.stderr
    assert "3 added" in result.stderr


def test_progress_is_silent_in_a_pipe(tmp_path: Path) -> None:
    source = write_records(tmp_path / "a.jsonl", range(50))
    done = subprocess.run(
        [*CLI, "index", "--index", str(tmp_path / "index"), str(source)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr and "items/s" not in done.stderr and "ETA" not in done.stderr


def test_progress_is_drawn_on_a_terminal(tmp_path: Path) -> None:
    """Run under a real pseudo-terminal: the bar shows items, a rate and the time left."""
    import pty

    source = write_records(tmp_path / "a.jsonl", range(3000))
    pid, fd = pty.fork()
    if pid == 0:  # the child: stderr is the terminal
        os.execv(sys.executable, [*CLI, "index", "--index", str(tmp_path / "index"), str(source)])
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = out.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "indexing [" in text and " items " in text and "/s" in text
    assert "3000 added" in text
