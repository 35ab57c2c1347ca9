"""Facet arrays written beside each segment at commit answer exactly as decoded postings do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from newsearch.index.duplicates import cluster_path
from newsearch.index.store import IndexStore
from newsearch.search.engine import Engine, SearchRequest

QUERIES = ["labour", "forced labour", "fish*", "migrant workers", "", "Peru", "child labor~1"]


def facet_files(index: Path) -> list[Path]:
    return sorted(p for p in index.iterdir() if ".facets." in p.name)


def without_facet_files(index: Path, target: Path) -> Path:
    """A copy of ``index`` as a version without facet files would have written it."""
    shutil.copytree(index, target)
    if cluster_path(index).exists():  # the near-duplicate clusters beside the index go along
        shutil.copy2(cluster_path(index), cluster_path(target))
    for path in facet_files(target):
        path.unlink()
    for manifest in target.glob("*.sizes.json"):
        data = json.loads(manifest.read_text())
        data["files"] = {k: v for k, v in data["files"].items() if ".facets." not in k}
        manifest.write_text(json.dumps(data, sort_keys=True))
    return target


def answers(index: Path) -> list[dict[str, Any]]:
    out = []
    with Engine(index) as engine:
        for text in QUERIES:
            data = engine.search(SearchRequest(text, limit=20)).to_dict()
            data.pop("seconds", None)
            out.append(data)
        _, columns = engine.snapshot()
        arrays = {
            name: (
                facet.values,
                sorted(zip(facet.docs.tolist(), facet.value_ids.tolist(), strict=True)),
            )
            for name, facet in columns.facets.items()
        }
        out.append({"arrays": arrays})
    return out


def test_each_segment_gets_its_facet_files(index_copy: Path) -> None:
    names = [p.name for p in facet_files(index_copy)]
    segments = {p.name.split(".")[0] for p in index_copy.glob("*.sizes.json")}
    assert {n.split(".")[0] for n in names} == segments
    for manifest in index_copy.glob("*.sizes.json"):
        listed = json.loads(manifest.read_text())["files"]
        assert any(".facets.npy" in name for name in listed)  # damage to them is found


def test_answers_from_facet_files_equal_decoded_answers(index_copy: Path, tmp_path: Path) -> None:
    plain = without_facet_files(index_copy, tmp_path / "plain")
    assert not facet_files(plain)
    assert answers(index_copy) == answers(plain)


def test_segments_with_and_without_files_mix(index_copy: Path, tmp_path: Path) -> None:
    """An index written before facet files, then added to: old segments decode, new read."""
    plain = without_facet_files(index_copy, tmp_path / "mixed")
    extra = tmp_path / "extra.jsonl"
    rows = [
        {
            "title": f"Fishers in Peru report forced labour {i}",
            "summary": "Inspectors found migrant workers on fishing vessels.",
            "date": "2021-05-0" + str(1 + i),
            "url": f"https://example.org/fish/{i}",
            "countries": ["Peru"],
            "topics": ["fisheries"],
        }
        for i in range(5)
    ]
    extra.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    IndexStore(plain).build([extra])
    full = without_facet_files(plain, tmp_path / "decoded")
    assert facet_files(plain)  # the new segment wrote its files
    assert answers(plain) == answers(full)


def test_files_of_another_segment_are_not_used(index_copy: Path, tmp_path: Path) -> None:
    """Files that do not belong to the segment (its id or document count) are ignored."""
    from newsearch.index.whoosh_compat import stored_facets

    with Engine(index_copy) as engine:
        searcher, _ = engine.snapshot()
        leaf = next(leaf for leaf, _ in searcher.reader().leaf_readers())
        found = stored_facets(leaf)
        assert found is not None
        topic = dict(found["topic"])
        assert all(isinstance(d, np.ndarray) for d in topic.values())
    copy = tmp_path / "other"
    shutil.copytree(index_copy, copy)
    for index_file in copy.glob("*.facets.json"):
        data = json.loads(index_file.read_text())
        data["docs"] += 1
        text = json.dumps(data, sort_keys=True)
        index_file.write_text(text)
        for manifest in copy.glob("*.sizes.json"):
            listed = json.loads(manifest.read_text())
            if index_file.name in listed["files"]:
                listed["files"][index_file.name] = len(text.encode())
                manifest.write_text(json.dumps(listed, sort_keys=True))
    with Engine(copy) as engine:
        searcher, _ = engine.snapshot()
        for leaf, _ in searcher.reader().leaf_readers():
            assert stored_facets(leaf) is None
    assert answers(copy) == answers(index_copy)
