"""The index store: adding, updating and rebuilding, what the folder holds, and its cleanup."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage

from newsearch.index.errors import IndexDamagedError, IndexMissingError
from newsearch.index.item import Problem
from newsearch.index.store import (
    INDEX_NAME,
    META_FILE,
    IndexReport,
    IndexStore,
    default_index_dir,
    document,
    item_from_stored,
)
from newsearch.index.tagging import tag


def write_items(path: Path, items: list[tuple[int, str]]) -> Path:
    """JSON Lines: (number, summary) pairs become items with stable urls."""
    path.write_text(
        "\n".join(
            json.dumps(
                {
                    "title": f"Child labour in cocoa farms, part {n}",
                    "summary": summary,
                    "date": "2021-06-12",
                    "url": f"https://example.org/s/{n}",
                }
            )
            for n, summary in items
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def stored(path: Path) -> dict[str, str]:
    ix = IndexStore(path).open()
    with ix.searcher() as searcher:
        rows = list(searcher.all_stored_fields())
    urls = [row["url"] for row in rows]
    assert len(urls) == len(set(urls))
    return {row["url"]: row["summary"] for row in rows}


def test_add_keep_update(tmp_path: Path) -> None:
    index = tmp_path / "index"
    first = write_items(tmp_path / "a.jsonl", [(1, "one"), (2, "two"), (3, "three")])
    report = IndexStore(index).build([first])
    assert (report.added, report.updated, report.unchanged, report.total) == (3, 0, 0, 3)
    assert report.ok and report.files == 1

    again = IndexStore(index).build([first])
    assert (again.added, again.updated, again.unchanged, again.total) == (0, 0, 3, 3)

    write_items(first, [(1, "one"), (2, "two, revised"), (4, "four")])
    changed = IndexStore(index).build([first])
    assert (changed.added, changed.updated, changed.unchanged, changed.total) == (1, 1, 1, 4)
    assert stored(index)["https://example.org/s/2"] == "two, revised"


def test_the_same_item_twice_in_one_run_is_kept_once(tmp_path: Path) -> None:
    index = tmp_path / "index"
    one = write_items(tmp_path / "a.jsonl", [(1, "first copy")])
    two = write_items(tmp_path / "b.jsonl", [(1, "second copy")])
    report = IndexStore(index).build([one, two])
    assert report.added == 1 and report.duplicates == 1 and report.total == 1
    assert any("kept once" in p.message for p in report.problems)


def test_rebuild_replaces_the_items_in_one_commit(tmp_path: Path) -> None:
    index = tmp_path / "index"
    IndexStore(index).build([write_items(tmp_path / "a.jsonl", [(1, "a"), (2, "b")])])
    new = write_items(tmp_path / "b.jsonl", [(3, "c")])
    seen_during: list[dict[str, str]] = []

    def on_file(result: Any) -> None:  # while the rebuild reads, readers see the old items
        seen_during.append(stored(index))

    report = IndexStore(index).build([new], rebuild=True, on_file=on_file)
    assert seen_during == [{"https://example.org/s/1": "a", "https://example.org/s/2": "b"}]
    assert report.added == 1 and report.total == 1
    assert stored(index) == {"https://example.org/s/3": "c"}


def test_rebuild_with_nothing_to_read_empties_the_index(tmp_path: Path) -> None:
    index = tmp_path / "index"
    IndexStore(index).build([write_items(tmp_path / "a.jsonl", [(1, "a")])])
    report = IndexStore(index).build([], rebuild=True)
    assert report.total == 0
    assert stored(index) == {}


def test_an_index_of_another_schema(tmp_path: Path) -> None:
    """Built by a different version: refused with the way out, and rebuilt on request while
    searches keep seeing the old items until the rebuild commits."""
    index = tmp_path / "index"
    index.mkdir()
    old = FileStorage(str(index)).create_index(
        Schema(id=ID(stored=True, unique=True), text=TEXT(stored=True)), indexname=INDEX_NAME
    )
    with old.writer() as writer:
        writer.add_document(id="x", text="an old item")
    items = write_items(tmp_path / "a.jsonl", [(1, "a")])
    with pytest.raises(IndexDamagedError, match="different version") as caught:
        IndexStore(index).build([items])
    assert "--rebuild" in caught.value.hint
    seen: list[int] = []
    report = IndexStore(index).build(
        [items],
        rebuild=True,
        on_file=lambda result: seen.append(IndexStore(index).open().doc_count()),
    )
    assert seen == [1] and report.total == 1
    assert stored(index) == {"https://example.org/s/1": "a"}


def test_meta(tmp_path: Path) -> None:
    index = tmp_path / "index"
    store = IndexStore(index)
    assert store.meta() == {}
    store.build([write_items(tmp_path / "a.jsonl", [(1, "a")])])
    meta = store.meta()
    assert meta["schema_version"] == 1 and meta["updated"]
    assert set(meta) == {"schema_version", "updated"}  # every key is read by something
    (index / META_FILE).write_text("[1, 2")  # damaged metadata is not an error
    assert store.meta() == {}
    (index / META_FILE).write_text("[1, 2]")
    assert store.meta() == {}


def test_an_index_of_another_schema_version_is_rebuilt_not_updated(tmp_path: Path) -> None:
    index = tmp_path / "index"
    store = IndexStore(index)
    store.build([write_items(tmp_path / "a.jsonl", [(1, "a")])])
    (index / META_FILE).write_text(json.dumps({"schema_version": 0, "updated": "2020-01-01"}))
    more = write_items(tmp_path / "b.jsonl", [(2, "b")])
    with pytest.raises(IndexDamagedError, match="different version"):
        store.build([more])
    assert store.open().doc_count() == 1  # left as it was
    report = store.build([more], rebuild=True)
    assert report.ok and report.total == 1 and store.meta()["schema_version"] == 1


def test_exists(tmp_path: Path) -> None:
    assert not IndexStore(tmp_path / "missing").exists()
    (tmp_path / "file").write_text("x")
    assert not IndexStore(tmp_path / "file").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert not IndexStore(empty).exists()
    (empty / f"{INDEX_NAME}_WRITELOCK").touch()  # a lock file alone is no index
    assert not IndexStore(empty).exists()
    with pytest.raises(IndexMissingError):
        IndexStore(empty).open()


def test_segment_files_without_a_table_of_contents_are_damage_not_absence(
    tmp_path: Path,
) -> None:
    index = tmp_path / "index"
    IndexStore(index).build([write_items(tmp_path / "a.jsonl", [(1, "a")])])
    for toc in index.glob(f"_{INDEX_NAME}_*.toc"):
        toc.unlink()
    store = IndexStore(index)
    assert store.exists()
    with pytest.raises(IndexDamagedError, match="table of contents"):
        store.open()
    with pytest.raises(IndexDamagedError):  # indexing more would silently drop the old items
        store.build([write_items(tmp_path / "b.jsonl", [(2, "b")])])
    assert store.build([tmp_path / "b.jsonl"], rebuild=True).total == 1


def test_leftovers_of_killed_runs_are_removed_by_the_next_run(tmp_path: Path) -> None:
    index = tmp_path / "index"
    items = write_items(tmp_path / "a.jsonl", [(1, "a")])
    IndexStore(index).build([items])
    keep = {p.name for p in index.iterdir()}
    leftovers = [
        f"_{INDEX_NAME}_7.toc.1718000000.25",  # a table of contents never renamed into place
        ".meta-k2j3h4",  # metadata never renamed into place
        ".stems.tsv.tmp",
        f"{INDEX_NAME}_0123456789abcdef.trm",  # a segment no commit refers to
        f"{INDEX_NAME}_0123456789abcdef.sizes.json",
    ]
    for name in leftovers:
        (index / name).write_bytes(b"half-written")
    (index / "notes.txt").write_text("the user's own file")
    report = IndexStore(index).build([write_items(items, [(1, "a"), (2, "b")])])
    assert report.added == 1
    names = {p.name for p in index.iterdir()}
    assert not names & set(leftovers)
    assert "notes.txt" in names
    assert {n for n in keep if not n.startswith(INDEX_NAME) and not n.startswith("_")} <= names


def test_each_segment_records_its_file_sizes(tmp_path: Path) -> None:
    index = tmp_path / "index"
    IndexStore(index).build([write_items(tmp_path / "a.jsonl", [(1, "a")])])
    IndexStore(index).build([write_items(tmp_path / "b.jsonl", [(2, "b")])])
    manifests = sorted(index.glob("*.sizes.json"))
    segments = {
        m.group(1)
        for p in index.iterdir()
        if (m := re.match(rf"({INDEX_NAME}_[0-9a-z]+)\.", p.name)) and not p.name.endswith(".json")
    }
    assert {m.name.split(".")[0] for m in manifests} == segments
    for manifest in manifests:
        sizes = json.loads(manifest.read_text())["files"]
        assert sizes
        for name, size in sizes.items():
            assert (index / name).stat().st_size == size


def test_interrupt_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import newsearch.index.corpus as corpus_module

    index = tmp_path / "index"
    IndexStore(index).build([write_items(tmp_path / "a.jsonl", [(1, "a")])])

    def interrupted(paths: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(corpus_module, "discover", interrupted)
    report = IndexStore(index).build([tmp_path])
    assert report.interrupted and report.total == 1 and report.added == 0


def test_report() -> None:
    report = IndexReport(added=2, files=1, problems=(Problem("a.txt", 3, "odd line"),))
    assert report.ok
    data = report.to_dict()
    assert data["added"] == 2 and data["problems"][0]["line"] == 3
    assert not IndexReport(interrupted=True).ok
    assert not IndexReport(failed_files=1).ok


def test_document_round_trip(corpus_dir: Path) -> None:
    from newsearch.index.corpus import read_path

    raw = next(raw for path in sorted(corpus_dir.glob("*.txt")) for raw in read_path(path).items)
    item = tag(raw)
    doc = document(item)
    fields = {k.removeprefix("_stored_"): v for k, v in doc.items()}
    again = item_from_stored(fields)
    assert again.to_dict() == item.to_dict()
    assert again.digest() == item.digest()


def test_default_index_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_index_dir() == tmp_path / "newsearch" / "index"
