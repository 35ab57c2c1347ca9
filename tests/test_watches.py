"""Watched searches: saved, run, told only what arrived since, safe against two runs at once."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import synthetic
from click.testing import CliRunner, Result

from newsearch.index.store import IndexStore
from newsearch.search.cli import main


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(main, list(args), catch_exceptions=False)


def add_items(index: Path, records: list[dict[str, object]], folder: Path) -> None:
    source = folder / f"new-{len(list(folder.iterdir()))}.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    assert IndexStore(index).build([source]).ok


NEW = [
    {"title": "Trafficking ring broken in Peru", "summary": "Police freed 40 workers in Lima."},
    {"title": "Cocoa farms surveyed", "summary": "Child labour in Ghana's cocoa farms."},
]


def test_a_watch_reports_only_what_arrived_since_its_last_run(
    runner: CliRunner, index_copy: Path, tmp_path: Path
) -> None:
    index = ["--index", str(index_copy)]
    added = run(runner, "watch", "add", "peru", "trafficking", "--country", "Peru", *index)
    assert added.exit_code == 0 and "item(s) match now" in added.stderr
    assert (index_copy.parent / "index.watches.json").exists()  # beside the index
    first = run(runner, "watch", "run", "peru", *index)
    assert first.exit_code == 1 and first.stdout == ""  # nothing new yet
    add_items(index_copy, NEW, tmp_path)
    listed = json.loads(run(runner, "watch", "list", *index, "-f", "json").stdout)
    assert [(w["name"], w["new"], w["filters"]) for w in listed] == [
        ("peru", 1, {"country": ["PER"]})
    ]
    second = run(runner, "watch", "run", *index)
    hits = [json.loads(line) for line in second.stdout.splitlines()]
    assert [(h["title"], h["watch"]) for h in hits] == [("Trafficking ring broken in Peru", "peru")]
    assert second.exit_code == 0
    assert run(runner, "watch", "run", "peru", *index).exit_code == 1  # remembered
    assert run(runner, "watch", "remove", "peru", *index).exit_code == 0
    assert json.loads(run(runner, "watch", "list", *index, "-f", "json").stdout) == []


def test_watch_mistakes_are_explained(runner: CliRunner, index_copy: Path) -> None:
    index = ["--index", str(index_copy)]
    assert run(runner, "watch", "add", "a", "labour", *index).exit_code == 0
    again = run(runner, "watch", "add", "a", "fishers", *index)
    assert again.exit_code == 3 and "already a watch called 'a'" in again.stderr
    assert "hint:" in again.stderr
    missing = run(runner, "watch", "run", "nope", *index)
    assert missing.exit_code == 1 and "no watch called 'nope' (watches: a)" in missing.stderr
    bad = run(runner, "watch", "add", "no spaces", "labour", *index)
    assert bad.exit_code == 2 and "watch name" in bad.stderr
    syntax = run(runner, "watch", "add", "b", '"unclosed', *index)
    assert syntax.exit_code == 2
    names = [w["name"] for w in json.loads(run(runner, "watch", "list", *index).stdout)]
    assert names == ["a"]  # nothing half-saved
    damaged = index_copy.parent / "index.watches.json"
    damaged.write_text("{not json", encoding="utf-8")
    broken = run(runner, "watch", "list", *index)
    assert broken.exit_code == 3 and "not one newsearch wrote" in broken.stderr


def test_two_runs_at_once_never_report_an_item_twice(index_copy: Path, tmp_path: Path) -> None:
    base = [sys.executable, "-m", "newsearch.search"]
    index = ["--index", str(index_copy)]
    subprocess.run([*base, "watch", "add", "all", "labour OR trafficking OR child", *index],
                   check=True, capture_output=True)  # fmt: skip
    add_items(index_copy, NEW, tmp_path)
    runs = [
        subprocess.Popen(
            [*base, "watch", "run", "all", *index], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=120)[0].decode() for process in runs]
    reported = [json.loads(line)["title"] for out in outputs for line in out.splitlines()]
    assert sorted(reported) == sorted(r["title"] for r in NEW)
    assert sorted(process.returncode for process in runs) == [0, 1, 1]


def test_watch_run_in_a_terminal_and_as_csv(
    runner: CliRunner, index_copy: Path, tmp_path: Path
) -> None:
    from test_research import in_terminal

    index = ["--index", str(index_copy)]
    run(runner, "watch", "add", "cocoa", "cocoa", *index)
    add_items(index_copy, NEW, tmp_path)
    shown = in_terminal("watch", "list", *index)
    assert "cocoa  1 new" in shown
    table = in_terminal("watch", "run", *index)
    assert "cocoa: 1 new" in table and "Cocoa farms surveyed" in table
    add_items(index_copy, [{"title": "More cocoa news", "summary": "Cocoa again."}], tmp_path)
    rows = run(runner, "watch", "run", *index, "-f", "csv").stdout.splitlines()
    assert rows[0].startswith("id,title") and len(rows) == 2 and "More cocoa news" in rows[1]


@pytest.mark.slow
def test_watch_at_ten_thousand_items(
    runner: CliRunner, synthetic_index: Path, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(synthetic_index, index_dir)
    index = ["--index", str(index_dir)]
    query = 'summary:"forced labour"'
    added = run(runner, "watch", "add", "fl", query, "--from", "2005", *index)
    wanted = sum(
        1
        for i in range(10_000)
        if synthetic.has_forced_labour(i)
        and not synthetic.is_french(i)
        and (synthetic.year_of(i) or 0) >= 2005
    )
    assert f"{wanted} item(s) match now" in added.stderr
    source = synthetic.write(tmp_path / "next.jsonl", 100, start=10_000)
    assert IndexStore(index_dir).build([source]).ok
    new = [
        i
        for i in range(10_000, 10_100)
        if synthetic.has_forced_labour(i)
        and not synthetic.is_french(i)
        and (synthetic.year_of(i) or 0) >= 2005
    ]
    hits = [json.loads(x) for x in run(runner, "watch", "run", "fl", *index).stdout.splitlines()]
    assert sorted(h["url"] for h in hits) == sorted(
        f"https://synthetic.example.org/items/{i}" for i in new
    )


# -- on the page ----------------------------------------------------------------------------


def test_watch_this_search_on_the_page(index_copy: Path, tmp_path: Path) -> None:
    import re
    from html import unescape

    from newsearch.webui import core
    from newsearch.webui.app import create_app

    app = create_app({"INDEX_DIR": str(index_copy), "TESTING": True})
    client = app.test_client()
    try:
        page = client.get("/?q=trafficking&country=PER").get_data(as_text=True)
        form = re.search(r'<form class="watch-form".*?</form>', page, re.S)
        assert form is not None
        fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))
        assert fields == {"q": "trafficking", "country": "PER"}
        added = client.post("/watches", data={**fields, "name": "peru"})
        assert added.status_code == 303 and added.headers["Location"] == "/watches?added=peru"
        add_items(index_copy, NEW, tmp_path)
        listing = client.get("/watches").get_data(as_text=True)
        assert re.search(r'<td class="watch-new">1</td>', listing)
        feed = next(unescape(h) for h in re.findall(r'href="(/feed\.atom[^"]*)"', listing))
        atom = client.get(feed)
        assert atom.status_code == 200 and b"Trafficking ring broken in Peru" in atom.data
        one = client.get("/watches/peru").get_data(as_text=True)
        assert "1 new item" in one and "Trafficking ring broken in Peru" in one
        assert client.post("/watches/peru/seen").status_code == 303
        assert "0 new items" in client.get("/watches/peru").get_data(as_text=True)
        # another site's page cannot add or remove watches
        other = {"Origin": "http://elsewhere.example", "Sec-Fetch-Site": "cross-site"}
        assert client.post("/watches/peru/remove", headers=other).status_code == 403
        assert client.get("/watches/nope").status_code == 404
        assert client.post("/watches", data={"q": "x", "name": "peru"}).status_code == 400
        assert client.post("/watches/peru/remove").status_code == 303
        assert "No watched searches yet" in client.get("/watches").get_data(as_text=True)
    finally:
        core.close(app)
