"""Measure the reader and the taggers against hand-labelled dumps, field by field."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsearch.index.corpus import SAMPLE_DIR, read_path
from newsearch.index.errors import CorpusError
from newsearch.index.item import Item, normalise_title
from newsearch.index.tagging import tag

# The figures the extractors are held to, on every labelled set.
TARGETS: dict[str, float] = {
    "titles.recall": 0.98,
    "titles.precision": 0.98,
    "dates.exact": 0.99,
    "countries.f1": 0.95,
    "topics.f1": 0.85,
    "language.accuracy": 0.98,
    "items.real_share": 0.95,
}
# The languages the first reader knew; labels in any other language are also counted apart.
FIRST_LANGUAGES = frozenset({"en", "fr", "es"})
LABEL_SUFFIX = ".labels.jsonl"
SKIPPED_SUFFIX = ".skipped.json"


def default_paths() -> list[Path]:
    """The labelled dumps of a source checkout (tests/data/labels and tests/data/variants), which
    the wheel does not ship. (tests/data/judged is the search collection, scored elsewhere.)"""
    data = Path(__file__).resolve().parent.parent / "tests" / "data"
    return [path for path in (data / "labels", data / "variants") if path.is_dir()]


@dataclass(frozen=True)
class Score:
    """Micro-averaged precision, recall and F1 from true and false positives and negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass(frozen=True)
class Accuracy:
    """How many of the compared values were right."""

    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(self.correct + other.correct, self.total + other.total)

    def to_dict(self) -> dict[str, Any]:
        return {"accuracy": round(self.accuracy, 4), "correct": self.correct, "total": self.total}


@dataclass(frozen=True)
class Mismatch:
    """One disagreement between the labels and what newsearch produced."""

    dump: str
    title: str
    field: str
    expected: Any
    got: Any

    def __str__(self) -> str:
        where = f"{self.dump}: {self.title[:60]!r}: {self.field}"
        return f"{where}: expected {self.expected!r}, got {self.got!r}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "dump": self.dump,
            "title": self.title,
            "field": self.field,
            "expected": self.expected,
            "got": self.got,
        }


@dataclass(frozen=True)
class Report:
    """The scores of one labelled dump, or of several added together."""

    name: str
    dumps: int = 1
    labelled: int = 0
    extracted: int = 0
    titles: Score = field(default_factory=Score)
    dates: Accuracy = field(default_factory=Accuracy)  # exact date where the label has one
    date_precision: Accuracy = field(default_factory=Accuracy)  # where the label has a date
    undated: Accuracy = field(default_factory=Accuracy)  # no date given where the label has none
    countries: Score = field(default_factory=Score)
    topics: Score = field(default_factory=Score)
    regions: Score = field(default_factory=Score)
    language: Accuracy = field(default_factory=Accuracy)
    other_language: Accuracy = field(default_factory=Accuracy)  # labels not en/fr/es
    real: Accuracy = field(default_factory=Accuracy)  # produced items that are labelled items
    kicker: Accuracy = field(default_factory=Accuracy)
    listed_under: Accuracy = field(default_factory=Accuracy)
    kind: Accuracy = field(default_factory=Accuracy)
    label: Accuracy = field(default_factory=Accuracy)
    skipped: Score = field(default_factory=Score)  # junk line numbers reported as skipped
    errors: tuple[Mismatch, ...] = ()

    def __add__(self, other: Report) -> Report:
        return Report(
            name=self.name,
            dumps=self.dumps + other.dumps,
            labelled=self.labelled + other.labelled,
            extracted=self.extracted + other.extracted,
            titles=self.titles + other.titles,
            dates=self.dates + other.dates,
            date_precision=self.date_precision + other.date_precision,
            undated=self.undated + other.undated,
            countries=self.countries + other.countries,
            topics=self.topics + other.topics,
            regions=self.regions + other.regions,
            language=self.language + other.language,
            other_language=self.other_language + other.other_language,
            real=self.real + other.real,
            kicker=self.kicker + other.kicker,
            listed_under=self.listed_under + other.listed_under,
            kind=self.kind + other.kind,
            label=self.label + other.label,
            skipped=self.skipped + other.skipped,
            errors=self.errors + other.errors,
        )

    def figures(self) -> dict[str, float]:
        """The headline figures, keyed as in :data:`TARGETS`."""
        return {
            "titles.recall": self.titles.recall,
            "titles.precision": self.titles.precision,
            "dates.exact": self.dates.accuracy,
            "dates.precision": self.date_precision.accuracy,
            "dates.none_when_unstated": self.undated.accuracy,
            "countries.precision": self.countries.precision,
            "countries.recall": self.countries.recall,
            "countries.f1": self.countries.f1,
            "topics.precision": self.topics.precision,
            "topics.recall": self.topics.recall,
            "topics.f1": self.topics.f1,
            "regions.precision": self.regions.precision,
            "regions.recall": self.regions.recall,
            "regions.f1": self.regions.f1,
            "language.accuracy": self.language.accuracy,
            "language.other_accuracy": self.other_language.accuracy,
            "items.real_share": self.real.accuracy,
            "kicker.accuracy": self.kicker.accuracy,
            "listed_under.accuracy": self.listed_under.accuracy,
            "kind.accuracy": self.kind.accuracy,
            "label.accuracy": self.label.accuracy,
            "skipped.recall": self.skipped.recall,
        }

    def missed_targets(self) -> dict[str, float]:
        """The targets this report falls short of, with the measured figure."""
        figures = self.figures()
        return {key: figures[key] for key, target in TARGETS.items() if figures[key] < target}

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dumps": self.dumps,
            "labelled": self.labelled,
            "extracted": self.extracted,
            "titles": self.titles.to_dict(),
            "dates": {
                "exact": self.dates.to_dict(),
                "precision": self.date_precision.to_dict(),
                "none_when_unstated": self.undated.to_dict(),
            },
            "countries": self.countries.to_dict(),
            "topics": self.topics.to_dict(),
            "regions": self.regions.to_dict(),
            "language": self.language.to_dict(),
            "other_language": self.other_language.to_dict(),
            "real_items": self.real.to_dict(),
            "kicker": self.kicker.to_dict(),
            "listed_under": self.listed_under.to_dict(),
            "kind": self.kind.to_dict(),
            "label": self.label.to_dict(),
            "skipped": self.skipped.to_dict(),
            "missed_targets": {k: round(v, 4) for k, v in self.missed_targets().items()},
            "errors": [e.to_dict() for e in self.errors],
        }


@dataclass(frozen=True)
class Evaluation:
    """Every labelled dump's report, the real dumps and the constructed variants apart, and all."""

    reports: tuple[Report, ...]
    groups: tuple[Report, ...]
    total: Report

    def to_dict(self) -> dict[str, Any]:
        return {
            "targets": TARGETS,
            "total": self.total.to_dict(),
            "groups": [g.to_dict() for g in self.groups],
            "dumps": [r.to_dict() for r in self.reports],
        }


# ---------------------------------------------------------------------------------------------
# Finding labelled dumps


@dataclass(frozen=True)
class LabelledDump:
    """A dump, the labels of its items, and (optionally) the line numbers it must skip."""

    dump: Path
    labels: Path
    skipped: Path | None = None

    @property
    def group(self) -> str:
        """ "variants" for constructed fixtures (``X.labels.jsonl``), else "real"."""
        return "variants" if self.labels.name.endswith(LABEL_SUFFIX) else "real"


def find_labelled(paths: Iterable[Path]) -> list[LabelledDump]:
    """Label files (or folders holding them) with the dump each describes.

    ``X.labels.jsonl`` labels the ``X.txt`` beside it; ``X.jsonl`` labels ``X.txt`` beside it or,
    failing that, the shipped sample of that name.
    """
    found: list[LabelledDump] = []
    for path in paths:
        files = sorted(path.rglob("*.jsonl")) if path.is_dir() else [path]
        for labels in files:
            if not labels.is_file():
                raise CorpusError(f"{labels}: no such label file")
            name = labels.name
            stem = name[: -len(LABEL_SUFFIX)] if name.endswith(LABEL_SUFFIX) else labels.stem
            candidates = [labels.with_name(f"{stem}.txt"), SAMPLE_DIR / f"{stem}.txt"]
            dump = next((c for c in candidates if c.is_file()), None)
            if dump is None:
                raise CorpusError(f"{labels}: the dump it labels ({stem}.txt) was not found")
            skipped = labels.with_name(f"{stem}{SKIPPED_SUFFIX}")
            found.append(LabelledDump(dump, labels, skipped if skipped.is_file() else None))
    return found


def load_labels(path: Path) -> list[dict[str, Any]]:
    """The label records of one JSON Lines file, in dump order."""
    records = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            if not isinstance(record, dict) or not record.get("title"):
                raise CorpusError(f"{path}:{number}: a label needs at least a title")
            records.append(record)
    return records


# ---------------------------------------------------------------------------------------------
# Scoring


def _set_score(expected: Sequence[str], got: Sequence[str]) -> Score:
    want, have = set(expected), set(got)
    return Score(len(want & have), len(have - want), len(want - have))


def evaluate_dump(labelled: LabelledDump) -> Report:
    """Read and tag one dump as newsearch does, and compare every item with its label."""
    name = labelled.dump.name
    labels = load_labels(labelled.labels)
    result = read_path(labelled.dump)
    items = [tag(raw) for raw in result.items]
    errors: list[Mismatch] = []

    # Align items to labels by title, in order (a title may occur twice).
    pool: dict[str, list[Item]] = {}
    for item in items:
        pool.setdefault(normalise_title(item.title), []).append(item)
    pairs: list[tuple[dict[str, Any], Item]] = []
    for label in labels:
        candidates = pool.get(normalise_title(label["title"]), [])
        exact = next((i for i in candidates if i.title == label["title"]), None)
        if exact is None:
            errors.append(Mismatch(name, label["title"], "title", label["title"], None))
            continue
        candidates.remove(exact)
        pairs.append((label, exact))
    for leftover in (i for group in pool.values() for i in group):
        errors.append(Mismatch(name, leftover.title, "title", None, leftover.title))

    # Produced items that are news items at all (a title that is a label's, however written).
    wanted = {normalise_title(label["title"]) for label in labels}
    real = Accuracy(sum(normalise_title(i.title) in wanted for i in items), len(items))

    report = Report(
        name=name,
        labelled=len(labels),
        extracted=len(items),
        titles=Score(len(pairs), len(items) - len(pairs), len(labels) - len(pairs)),
    )
    dates = precision = undated = language = kind = label_acc = Accuracy()
    other_language = kicker = listed_under = Accuracy()
    countries = topics = regions = Score()
    for label, item in pairs:
        title = label["title"]
        got_date = item.date.isoformat() if item.date else None
        if label.get("date"):
            ok = got_date == label["date"]
            dates += Accuracy(ok, 1)
            if not ok:
                errors.append(Mismatch(name, title, "date", label["date"], got_date))
            ok = item.date_precision == label.get("date_precision")
            precision += Accuracy(ok, 1)
            if not ok:
                errors.append(
                    Mismatch(
                        name, title, "date_precision", label["date_precision"], item.date_precision
                    )
                )
        elif "date" in label:
            undated += Accuracy(got_date is None, 1)
            if got_date is not None:
                errors.append(Mismatch(name, title, "date", None, got_date))
        for key, got, acc in (
            ("language", item.language, "language"),
            ("kind", item.kind, "kind"),
            ("label", item.label, "label"),
            ("kicker", item.kicker, "kicker"),
            ("listed_under", item.listed_under, "listed_under"),
        ):
            if key not in label:
                continue
            ok = got == label[key]
            if acc == "language":
                language += Accuracy(ok, 1)
                if label[key] not in FIRST_LANGUAGES:
                    other_language += Accuracy(ok, 1)
            elif acc == "kicker":
                kicker += Accuracy(ok, 1)
            elif acc == "listed_under":
                listed_under += Accuracy(ok, 1)
            elif acc == "kind":
                kind += Accuracy(ok, 1)
            else:
                label_acc += Accuracy(ok, 1)
            if not ok:
                errors.append(Mismatch(name, title, key, label[key], got))
        for key, got_list in (
            ("countries", item.country_codes),
            ("topics", item.topics),
            ("regions", item.regions),
        ):
            if key not in label:
                continue
            score = _set_score(label[key], got_list)
            if key == "countries":
                countries += score
            elif key == "topics":
                topics += score
            else:
                regions += score
            if score.fp or score.fn:
                errors.append(Mismatch(name, title, key, sorted(label[key]), sorted(got_list)))

    skipped = Score()
    if labelled.skipped is not None:
        expected = set(json.loads(labelled.skipped.read_text(encoding="utf-8")))
        reported = {p.line for p in result.problems if p.line}
        skipped = Score(
            len(expected & reported), len(reported - expected), len(expected - reported)
        )
        for line in sorted(expected - reported):
            errors.append(Mismatch(name, f"line {line}", "skipped", "reported", "not reported"))
        for line in sorted(reported - expected):
            errors.append(Mismatch(name, f"line {line}", "skipped", "not reported", "reported"))

    return Report(
        name=report.name,
        labelled=report.labelled,
        extracted=report.extracted,
        titles=report.titles,
        dates=dates,
        date_precision=precision,
        undated=undated,
        countries=countries,
        topics=topics,
        regions=regions,
        language=language,
        other_language=other_language,
        real=real,
        kicker=kicker,
        listed_under=listed_under,
        kind=kind,
        label=label_acc,
        skipped=skipped,
        errors=tuple(errors),
    )


def _sum(name: str, reports: Sequence[Report]) -> Report:
    total = Report(name=name, dumps=0)
    for report in reports:
        total = total + report
    return total


def evaluate(paths: Iterable[str | Path] | None = None) -> Evaluation:
    """Evaluate every labelled dump under ``paths`` (default: the checkout's tests/data)."""
    chosen = [Path(p) for p in paths] if paths is not None else default_paths()
    if not chosen:
        raise CorpusError(
            "no labelled data found",
            hint="pass label files or folders; the labelled sets live in tests/data of a checkout",
        )
    labelled = find_labelled(chosen)
    if not labelled:
        raise CorpusError(f"no label files (*.jsonl) under {', '.join(map(str, chosen))}")
    reports = tuple(evaluate_dump(entry) for entry in labelled)
    groups = tuple(
        _sum(group, [r for r, e in zip(reports, labelled, strict=True) if e.group == group])
        for group in ("real", "variants")
        if any(e.group == group for e in labelled)
    )
    return Evaluation(reports, groups, _sum("all", reports))


# ---------------------------------------------------------------------------------------------
# Command line


def _row(report: Report) -> str:
    f = report.figures()
    return (
        f"{report.name[:38]:<38} {report.labelled:>5} "
        f"{f['titles.recall']:>6.3f} {f['titles.precision']:>6.3f} "
        f"{f['dates.exact']:>6.3f} {f['dates.precision']:>6.3f} "
        f"{f['countries.f1']:>6.3f} {f['topics.f1']:>6.3f} {f['regions.f1']:>6.3f} "
        f"{f['language.accuracy']:>6.3f} {f['kind.accuracy']:>6.3f} {f['label.accuracy']:>6.3f} "
        f"{f['items.real_share']:>6.3f} {f['kicker.accuracy']:>6.3f} "
        f"{f['listed_under.accuracy']:>6.3f}"
    )


def render_text(evaluation: Evaluation) -> str:
    """A table of figures per dump and per group, the detailed figures, and the errors."""
    header = (
        f"{'dump':<38} {'items':>5} {'t.rec':>6} {'t.prec':>6} {'date':>6} {'d.prec':>6} "
        f"{'ctry':>6} {'topic':>6} {'region':>6} {'lang':>6} {'kind':>6} {'label':>6} "
        f"{'real':>6} {'kicker':>6} {'listed':>6}"
    )
    lines = [header, "-" * len(header)]
    lines += [_row(r) for r in evaluation.reports]
    lines.append("-" * len(header))
    lines += [_row(g) for g in (*evaluation.groups, evaluation.total)]
    lines.append("")
    for report in (*evaluation.groups, evaluation.total):
        lines.append(f"{report.name}: {report.dumps} dump(s), {report.labelled} labelled item(s)")
        for key, value in report.figures().items():
            target = TARGETS.get(key)
            mark = (
                ""
                if target is None
                else f"  (target {target:.2f}{'' if value >= target else ', MISSED'})"
            )
            lines.append(f"  {key:<26} {value:.3f}{mark}")
        lines.append(
            f"  countries tp/fp/fn {report.countries.tp}/{report.countries.fp}/"
            f"{report.countries.fn}; topics {report.topics.tp}/{report.topics.fp}/"
            f"{report.topics.fn}; regions {report.regions.tp}/{report.regions.fp}/"
            f"{report.regions.fn}"
        )
    errors = evaluation.total.errors
    lines.append("")
    lines.append(f"errors ({len(errors)}):" if errors else "errors: none")
    lines += [f"  {e}" for e in errors]
    missed = evaluation.total.missed_targets()
    lines.append("")
    lines.append(
        "targets: all met"
        if not missed
        else "targets missed: " + ", ".join(f"{k} {v:.3f}" for k, v in missed.items())
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m newsearch.index.evaluate [--format text|json] [PATHS]``.

    Exits 0 when every target is met, 1 when one is missed, 2 when the labels cannot be read.
    """
    parser = argparse.ArgumentParser(
        prog="python -m newsearch.index.evaluate",
        description="Score newsearch's reader and taggers against hand-labelled dumps.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="label files (X.jsonl, X.labels.jsonl) or folders; "
        "default: tests/data/labels and tests/data/variants",
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    args = parser.parse_args(argv)
    try:
        evaluation = evaluate(args.paths or None)
    except CorpusError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 2
    if args.format == "json":
        json.dump(evaluation.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(render_text(evaluation))
    return 1 if evaluation.total.missed_targets() else 0


if __name__ == "__main__":
    sys.exit(main())
