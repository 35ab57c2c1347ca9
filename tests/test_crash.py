"""Crash safety: indexing killed (SIGKILL) or interrupted (SIGINT) never loses or doubles items.

A forking driver process loads newsearch once and then runs each indexing job in a fresh child,
so a job can be killed at any moment without paying for start-up each time. Jobs are killed at
random moments while files are read, at random moments during the commit, and at fixed points
of the commit that a timer would rarely hit (the table of contents written but not yet renamed,
renamed but the old files not yet removed, the metadata half-written). After every kill the
index must open, and each item must be as the last run left it or as the killed job writes it
(a job commits in batches), with nothing lost by an update. A final run must then complete with
exactly the expected items, no duplicates, and no leftover files.
"""

from __future__ import annotations

import json
import os
import random
import re
import select
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from whoosh.index import TOC

from newsearch.index.store import INDEX_NAME, IndexStore
from newsearch.search.engine import Engine

KILLS = 20  # SIGKILLs the job loop must survive
MAX_JOBS = 45  # jobs that finish before their kill do not count; give up after this many
FILES = 20
PER_FILE = 100  # 2,000 items in all
SEED = int(os.environ.get("NEWSEARCH_CRASH_SEED", "20240611"))
CLI = [sys.executable, "-c", "from newsearch.search.cli import main; main()"]

WORDS = [
    *("forced", "labour", "child", "workers", "fishing", "migrant", "Indonesia", "Peru"),
    *("Qatar", "domestic", "wage", "union", "strike", "garment", "factory", "safety"),
    *("inspection", "recruitment", "debt", "bondage", "trafficking"),
]

# ---------------------------------------------------------------------------------------------
# The corpus: JSON Lines files whose items have stable urls (hence stable ids) and a summary
# that changes with the file's version, so an update is visible item by item.


def write_part(folder: Path, number: int, version: int) -> Path:
    rng = random.Random(number * 1000 + version)
    path = folder / f"part{number:02d}.jsonl"
    lines = []
    for i in range(number * PER_FILE, (number + 1) * PER_FILE):
        words = " ".join(rng.choice(WORDS) for _ in range(8))
        lines.append(
            json.dumps(
                {
                    "title": f"Report {i} on {words}",
                    "summary": f"version {version} of item {i}: {words} {words}.",
                    "date": f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    "url": f"https://example.org/news/{i}",
                }
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def expected_part(number: int, version: int) -> dict[str, str]:
    """url -> summary, as the index should store them for one version of one file."""
    rng = random.Random(number * 1000 + version)
    out = {}
    for i in range(number * PER_FILE, (number + 1) * PER_FILE):
        words = " ".join(rng.choice(WORDS) for _ in range(8))
        out[f"https://example.org/news/{i}"] = f"version {version} of item {i}: {words} {words}."
    return out


def index_state(path: Path) -> dict[str, str]:
    """url -> summary of every item in the index; fails on duplicates or a miscount."""
    ix = IndexStore(path).open()
    with ix.searcher() as searcher:
        rows = list(searcher.all_stored_fields())
        ids = [row["id"] for row in rows]
        assert len(ids) == len(set(ids)), "an item is in the index twice"
        assert searcher.doc_count() == len(rows)
        state = {row["url"]: row["summary"] for row in rows}
        assert len(state) == len(rows), "two items share a url"
    return state


def assert_no_leftovers(path: Path) -> None:
    """Only the committed generation's files remain: no half-written or orphaned ones."""
    names = sorted(p.name for p in path.iterdir())
    tocs = [n for n in names if re.fullmatch(rf"_{INDEX_NAME}_\d+\.toc", n)]
    assert len(tocs) == 1, names
    from whoosh.filedb.filestore import FileStorage

    toc = TOC.read(FileStorage(str(path)), INDEX_NAME)
    live = {segment.segment_id() for segment in toc.segments}
    for name in names:
        if name in {*tocs, f"{INDEX_NAME}_WRITELOCK", "newsearch.json", "stems.tsv"}:
            continue
        segment = re.match(rf"({INDEX_NAME}_[0-9a-z]+)\.", name)
        assert segment and segment.group(1) in live, f"leftover file {name} in {names}"


# ---------------------------------------------------------------------------------------------
# The driver

DRIVER = textwrap.dedent(
    """
    import json, os, signal, sys, time, traceback
    from pathlib import Path

    from newsearch.index.store import IndexStore

    index_dir, warm_file, scratch = sys.argv[1], sys.argv[2], sys.argv[3]

    def emit(message):
        os.write(1, (json.dumps(message) + "\\n").encode())

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def inject(point):
        # Kill the job at a fixed point of the commit, where a timer would rarely land.
        import whoosh.writing
        from whoosh.filedb.filestore import FileStorage
        from whoosh.index import TOC
        import newsearch.index.store as store

        if point == "toc-written":  # the new table of contents is complete but not renamed
            rename = FileStorage.rename_file
            def rename_file(self, old, new, safe=False):
                if new.endswith(".toc"):
                    die()
                return rename(self, old, new, safe)
            FileStorage.rename_file = rename_file
        elif point == "toc-renamed":  # committed, but the old generation's files are still there
            def commit_toc(self, segments):
                TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)
                die()
            whoosh.writing.SegmentWriter._commit_toc = commit_toc
        elif point == "meta-half-written":  # the metadata file's temporary copy, half-written
            dump = store.json.dump
            def half(obj, handle, **kwargs):
                handle.write(json.dumps(obj)[:10])
                handle.flush()
                die()
            store.json.dump = half
        elif point == "stems-written":  # committed; the files beside the index not yet updated
            def stems(path):
                die()
            store._write_stem_table = stems

    IndexStore(scratch).build([Path(warm_file)])  # load vocabularies and stemmers once
    emit({"ready": True})
    for line in sys.stdin:
        job = json.loads(line)
        go_read, go_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(go_write)
                os.read(go_read, 1)
                if job.get("inject"):
                    inject(job["inject"])
                def on_file(result):
                    emit({"file": result.path})
                report = IndexStore(index_dir).build(
                    [Path(f) for f in job["files"]], rebuild=job["rebuild"], on_file=on_file
                )
                emit({"done": {k: v for k, v in report.to_dict().items() if k != "problems"}})
                os._exit(0)
            except BaseException:
                emit({"error": traceback.format_exc()})
                os._exit(3)
        os.close(go_read)
        emit({"pid": pid})
        os.write(go_write, b"x")
        os.close(go_write)
        _, status = os.waitpid(pid, 0)
        emit({"exit": os.waitstatus_to_exitcode(status)})
    """
)


class Driver:
    """The forking driver process, and the messages (JSON lines) it and its jobs write."""

    def __init__(self, tmp: Path, index: Path, warm: Path) -> None:
        script = tmp / "driver.py"
        script.write_text(DRIVER, encoding="utf-8")
        self.log = tmp / "driver.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(script), str(index), str(warm), str(tmp / "scratch")],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        self.buffer = b""
        assert self.next(120) == {"ready": True}

    def poll(self, timeout: float) -> dict[str, Any] | None:
        """The next message, or None if none comes within ``timeout`` seconds."""
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise AssertionError(f"driver ended: {self.log.read_text(errors='replace')}")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        message: dict[str, Any] = json.loads(line)
        assert "error" not in message, message["error"]
        return message

    def next(self, timeout: float) -> dict[str, Any]:
        message = self.poll(timeout)
        if message is None:
            raise AssertionError(f"driver silent for {timeout} s")
        return message

    def start(self, files: list[Path], rebuild: bool, inject: str | None) -> int:
        assert self.proc.stdin is not None
        job = {"files": [str(f) for f in files], "rebuild": rebuild, "inject": inject}
        self.proc.stdin.write((json.dumps(job) + "\n").encode())
        self.proc.stdin.flush()
        return int(self.next(30)["pid"])

    def close(self) -> None:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()


@dataclass
class Tally:
    kills: int = 0
    completed: int = 0
    landed: dict[str, int] = field(default_factory=dict)  # kind of kill -> count
    after_commit: int = 0  # kills whose job had already committed
    in_commit: int = 0  # kills once every file was read: in the commit or just after it


def run_job(
    driver: Driver, files: list[Path], rebuild: bool, how: str, rng: random.Random, tally: Tally
) -> bool:
    """Run one job; kill it as ``how`` says. True if it was killed."""
    inject = how if how in INJECTED else None
    pid = driver.start(files, rebuild, inject)
    deadline = time.monotonic() + 120
    read = 0
    target = rng.randint(1, len(files)) if how == "reading" else len(files)
    delay = rng.uniform(0.0, 0.05) if how == "reading" else rng.uniform(0.0, 0.5)
    kill_at: float | None = None
    if how == "anytime":
        kill_at = time.monotonic() + rng.uniform(0.0, 0.3 * len(files))
    killed_while = ""
    while True:
        now = time.monotonic()
        assert now < deadline, "job did not finish"
        if kill_at is not None and now >= kill_at:
            os.kill(pid, signal.SIGKILL)
            killed_while = "committing" if read == len(files) else "reading"
            kill_at = None
        wait = deadline - now if kill_at is None else max(0.0, kill_at - now)
        message = driver.poll(wait)
        if message is None:
            continue
        if "file" in message:
            read += 1
            if how in {"reading", "committing"} and read == target:
                kill_at = time.monotonic() + delay
        elif "done" in message:
            kill_at = None
        elif "exit" in message:
            if message["exit"] == -signal.SIGKILL:
                tally.kills += 1
                tally.landed[how] = tally.landed.get(how, 0) + 1
                if how in INJECTED or killed_while == "committing":
                    tally.in_commit += 1
                return True
            assert message["exit"] == 0, message
            tally.completed += 1
            return False


INJECTED = ("toc-written", "toc-renamed", "meta-half-written", "stems-written")
TIMED = ("reading", "committing", "anytime")


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for number in range(FILES):
        write_part(folder, number, 0)
    return folder


@pytest.mark.slow
def test_sigkill_at_random_points_never_loses_or_doubles_items(
    tmp_path: Path, corpus: Path
) -> None:
    rng = random.Random(SEED)
    index = tmp_path / "index"
    warm = tmp_path / "warm.jsonl"
    warm.write_text(json.dumps({"title": "Warm up on forced labour in Peru"}) + "\n")
    versions = dict.fromkeys(range(FILES), 0)
    model: dict[str, str] = {}
    tally = Tally()
    driver = Driver(tmp_path, index, warm)
    plan = [*INJECTED, *INJECTED[:2]]  # every fixed point at least once
    try:
        jobs = 0
        while tally.kills < KILLS:
            jobs += 1
            assert jobs <= MAX_JOBS, f"only {tally.kills} kills landed in {MAX_JOBS} jobs"
            chosen = sorted(rng.sample(range(FILES), rng.randint(2, 4)))
            for number in chosen:
                if rng.random() < 0.3:  # some items change, so updates are killed too
                    versions[number] += 1
                    write_part(corpus, number, versions[number])
            rebuild = jobs > 1 and rng.random() < 0.15
            how = plan.pop() if plan and jobs > 1 else rng.choice(TIMED)
            if jobs == 1:
                how = "none"  # a first commit to start from
            new_items: dict[str, str] = {}
            for number in chosen:
                new_items.update(expected_part(number, versions[number]))
            after = new_items if rebuild else {**model, **new_items}

            files = [corpus / f"part{n:02d}.jsonl" for n in chosen]
            killed = run_job(driver, files, rebuild, how, rng, tally)

            state = index_state(index)
            if killed:
                # batches: each item is as the last run left it or as this job writes it
                for url, summary in state.items():
                    assert summary in (model.get(url), after.get(url)), (
                        f"after a kill ({how}) {url} holds neither its old nor its new summary"
                    )
                if not rebuild:  # an update removes nothing
                    assert set(model) <= set(state), f"after a kill ({how}) items were lost"
                if state == after and after != model:
                    tally.after_commit += 1
            else:
                assert state == after
            model = state
            assert isinstance(IndexStore(index).meta(), dict)
            engine = Engine(index)
            try:
                assert engine.count("") == len(model)
            finally:
                engine.close()

        # A final, uninterrupted run over everything: exactly the whole corpus, once.
        everything = [corpus / f"part{n:02d}.jsonl" for n in range(FILES)]
        expected: dict[str, str] = {}
        for number in range(FILES):
            expected.update(expected_part(number, versions[number]))
        run_job(driver, everything, False, "none", rng, tally)
    finally:
        driver.close()
    assert index_state(index) == expected
    assert len(expected) == FILES * PER_FILE
    assert_no_leftovers(index)
    assert IndexStore(index).meta().get("schema_version") == 1
    print(
        f"\nsurvived {tally.kills} SIGKILLs ({tally.landed}); {tally.in_commit} once every "
        f"file was read, {tally.after_commit} of them after the commit; "
        f"{tally.completed} jobs completed"
    )


# ---------------------------------------------------------------------------------------------
# Ctrl-C


def test_sigint_while_reading_commits_what_was_read_and_says_so(
    tmp_path: Path, corpus: Path
) -> None:
    index = tmp_path / "index"
    files = sorted(corpus.glob("*.jsonl"))
    IndexStore(index).build(files[:2])
    before = index_state(index)
    proc = subprocess.Popen(
        [*CLI, "index", "--index", str(index), *map(str, files[2:14])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (index / f"{INDEX_NAME}.tmp").exists():  # the writer is open
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(random.Random(SEED).uniform(0.1, 0.6))
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    found = re.search(r"interrupted; the (\d+) item\(s\) written before it were committed", err)
    assert found, err
    after = index_state(index)
    assert len(after) == len(before) + int(found.group(1))
    assert all(after[url] == summary for url, summary in before.items())
    assert "run the same command again to go on" in err
    # and the same command run again goes on, without doubling anything
    report = IndexStore(index).build(files[2:14])
    assert report.ok and report.added == 12 * PER_FILE - int(found.group(1))
    assert len(index_state(index)) == 14 * PER_FILE
    assert_no_leftovers(index)


def test_keyboard_interrupt_while_reading_in_process(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "index"
    files = sorted(corpus.glob("*.jsonl"))
    IndexStore(index).build(files[:1])
    calls = 0

    def on_file(result: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            signal.raise_signal(signal.SIGINT)

    report = IndexStore(index).build(files[1:4], on_file=on_file)
    assert report.interrupted and not report.ok
    # the two files read before Ctrl-C are committed, the third was never started
    assert report.added == 2 * PER_FILE and report.committed == 2 * PER_FILE
    assert report.total == 3 * PER_FILE
    assert len(index_state(index)) == 3 * PER_FILE
    again = IndexStore(index).build(files[1:4])  # the lock was released
    assert (again.added, again.unchanged) == (PER_FILE, 2 * PER_FILE)


def test_keyboard_interrupt_during_commit_lets_the_commit_finish(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import whoosh.writing

    index = tmp_path / "index"
    files = sorted(corpus.glob("*.jsonl"))
    IndexStore(index).build(files[:1])
    original = whoosh.writing.SegmentWriter._commit_toc

    def commit_toc(self: Any, segments: Any) -> None:
        signal.raise_signal(signal.SIGINT)  # Ctrl-C in the middle of the commit
        original(self, segments)

    monkeypatch.setattr(whoosh.writing.SegmentWriter, "_commit_toc", commit_toc)
    report = IndexStore(index).build(files[1:3])
    assert not report.interrupted
    assert report.added == 2 * PER_FILE and report.total == 3 * PER_FILE
    assert len(index_state(index)) == 3 * PER_FILE
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
