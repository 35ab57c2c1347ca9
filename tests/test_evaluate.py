"""The evaluation against hand-labelled dumps, and the accuracy targets the tags are held to."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsearch.index.evaluate import Evaluation, Report, evaluate, main

DATA = Path(__file__).resolve().parent / "data"
REAL = DATA / "labels"
VARIANTS = DATA / "variants"


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return evaluate([REAL, VARIANTS])


def groups(evaluation: Evaluation) -> dict[str, Report]:
    return {g.name: g for g in evaluation.groups}


def test_every_labelled_dump_is_evaluated(evaluation: Evaluation) -> None:
    names = {r.name for r in evaluation.reports}
    assert "ilo-forced-labour-news-2016-2017.txt" in names
    assert "ilo-forced-labour-news-2023-2024.txt" in names
    assert {
        f"{p.name[: -len('.labels.jsonl')]}.txt" for p in VARIANTS.glob("*.labels.jsonl")
    } <= names
    assert set(groups(evaluation)) == {"real", "variants"}
    assert evaluation.total.labelled == sum(r.labelled for r in evaluation.reports) >= 100


@pytest.mark.parametrize("group", ["real", "variants", "all"])
def test_targets_hold_on_real_dumps_and_on_layout_fixtures(
    evaluation: Evaluation, group: str
) -> None:
    report = evaluation.total if group == "all" else groups(evaluation)[group]
    assert report.titles.recall >= 0.98, report.errors
    assert report.titles.precision >= 0.98, report.errors
    assert report.dates.accuracy >= 0.99, report.errors
    assert report.dates.total > 0 if group != "real" else True
    assert report.countries.f1 >= 0.95, report.errors
    assert report.topics.f1 >= 0.85, report.errors
    assert report.language.accuracy >= 0.98, report.errors
    assert report.missed_targets() == {}


def test_no_item_gets_a_date_its_dump_does_not_state(evaluation: Evaluation) -> None:
    assert evaluation.total.undated.total > 0
    assert evaluation.total.undated.accuracy == 1.0
    assert evaluation.total.date_precision.accuracy >= 0.99


def test_regions_kind_and_labels_are_measured_too(evaluation: Evaluation) -> None:
    total = evaluation.total
    assert total.regions.f1 >= 0.95
    assert total.kind.accuracy >= 0.95
    assert total.label.accuracy >= 0.98
    assert total.skipped.recall == 1.0  # every furniture and junk line is reported
    messy = next(r for r in evaluation.reports if r.name == "messy.txt")
    assert messy.skipped.tp == 6 and messy.skipped.fp == 0


def test_page_layouts_real_items_kickers_and_listings_are_measured(evaluation: Evaluation) -> None:
    total = evaluation.total
    figures = total.figures()
    # Produced items that are not news items (furniture, stray text) lower this share.
    assert total.real.total == total.extracted and figures["items.real_share"] >= 0.95
    assert total.kicker.total >= 25 and figures["kicker.accuracy"] >= 0.95
    assert total.listed_under.total >= 100 and figures["listed_under.accuracy"] >= 0.95
    # Italian, Portuguese, German, Russian, Arabic and Chinese items are named, not guessed.
    assert total.other_language.total >= 6 and figures["language.other_accuracy"] >= 0.98
    furniture = next(r for r in evaluation.reports if r.name == "furniture-podcast.txt")
    assert furniture.skipped.fn == 0 and furniture.real.accuracy == 1.0


def test_report_is_frozen_and_serialisable(evaluation: Evaluation) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        evaluation.total.labelled = 0  # type: ignore[misc]
    data = json.loads(json.dumps(evaluation.to_dict()))
    assert set(data) == {"targets", "total", "groups", "dumps"}
    total = data["total"]
    for key in ("titles", "countries", "topics", "regions"):
        assert set(total[key]) >= {"precision", "recall", "f1", "tp", "fp", "fn"}
    for key in ("real_items", "kicker", "listed_under", "other_language"):
        assert set(total[key]) == {"accuracy", "correct", "total"}
    assert set(total["dates"]) == {"exact", "precision", "none_when_unstated"}
    assert total["missed_targets"] == {}


def test_a_wrong_label_shows_up_as_an_error_and_lowers_the_score(tmp_path: Path) -> None:
    shutil.copy(VARIANTS / "messy.txt", tmp_path / "messy.txt")
    records = [
        json.loads(line)
        for line in (VARIANTS / "messy.labels.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    records[0]["countries"] = ["IND"]  # Punjab in Pakistan, mislabelled
    records[1]["date"] = "2018-10-12"
    records[2]["title"] = "A title that is not in the dump"
    (tmp_path / "messy.labels.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8"
    )
    report = evaluate([tmp_path]).total
    assert report.countries.fp >= 1 and report.countries.fn >= 1
    assert report.dates.accuracy < 1.0
    assert report.titles.recall < 1.0 and report.titles.precision < 1.0
    fields = [(e.field, e.expected) for e in report.errors]
    assert ("countries", ["IND"]) in fields
    assert ("date", "2018-10-12") in fields
    assert ("title", "A title that is not in the dump") in fields
    assert "countries.f1" in report.missed_targets() or report.countries.f1 < 1.0


def test_label_files_beside_their_dumps_or_of_shipped_samples(tmp_path: Path) -> None:
    shutil.copy(REAL / "ilo-forced-labour-news-2016-2017.jsonl", tmp_path)
    # No dump beside it: the copy shipped with the package is used.
    report = evaluate([tmp_path / "ilo-forced-labour-news-2016-2017.jsonl"]).total
    assert report.labelled == 10 and report.titles.recall == 1.0


def test_command_line_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(REAL), str(VARIANTS)]) == 0
    text = capsys.readouterr().out
    assert "ilo-forced-labour-news-2023-2024.txt" in text
    assert "targets: all met" in text
    assert main(["--format", "json", str(VARIANTS / "cards-dashes.labels.jsonl")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["name"] for d in data["dumps"]] == ["cards-dashes.txt"]


def test_command_line_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "missing.jsonl")]) == 2
    assert "no such label file" in capsys.readouterr().err
    (tmp_path / "orphan.labels.jsonl").write_text('{"title": "x"}\n', encoding="utf-8")
    assert main([str(tmp_path)]) == 2
    assert "orphan.txt" in capsys.readouterr().err


def test_runs_as_a_module_from_a_checkout() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "newsearch.index.evaluate", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"]["labelled"] >= 100
