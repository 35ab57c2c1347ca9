"""Queries and cold starts of every engine interleaved, the engine asked first rotating."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.measure import load_average, summary_ms

ROOT = Path(__file__).resolve().parent.parent


def _env(source: Path | None = None) -> dict[str, str]:
    """The environment of a measured process; ``source``: a folder whose ``newsearch``
    package is imported instead of the installed one (to measure another version)."""
    paths = [str(ROOT), str(source) if source else None, os.environ.get("PYTHONPATH")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths))}


class Session:
    """One engine's searcher in its own process, asked one query at a time over a pipe."""

    def __init__(
        self, engine: str, index: Path, first: list[str], source: Path | None = None
    ) -> None:
        command = [sys.executable, "-m", "benchmarks.worker", "session", "--engine", engine]
        command += ["--index", str(index), *first]
        self.engine = engine
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=_env(source),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.opened = self._read()

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            assert self.process.stderr is not None
            raise RuntimeError(f"{self.engine} session ended: {self.process.stderr.read()[-600:]}")
        data: dict[str, Any] = json.loads(line)
        return data

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _summary(wall: list[float], cpu: list[float]) -> dict[str, Any]:
    out = summary_ms(wall)
    cpu_ms = summary_ms(cpu)
    out["cpu_p50_ms"] = cpu_ms["p50_ms"]
    out["cpu_p95_ms"] = cpu_ms["p95_ms"]
    out["cpu_mean_ms"] = cpu_ms["mean_ms"]
    return out


def queries(
    indexes: dict[str, Path],
    asked: list[list[str]],
    repeat: int,
    sources: dict[str, tuple[str, Path]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every engine's query figures from one interleaved run.

    Each engine opens its index in a fresh process and answers ``asked[0]``. Then every other
    query is asked once of every engine (top 10 + facets, new to each process: the first-ask
    figures), the engine asked first rotating from query to query; then ``repeat`` passes ask
    each query in both modes (warm), the mode asked first alternating as well.
    """
    names = list(indexes)
    out: dict[str, dict[str, Any]] = {}
    sessions: dict[str, Session] = {}
    for name in names:
        try:
            engine, source = (sources or {}).get(name, (name, None))  # type: ignore[arg-type]
            sessions[name] = Session(engine, indexes[name], asked[0], source)
        except RuntimeError as exc:
            out[name] = {"error": str(exc)}
    live = [n for n in names if n in sessions]
    timings: dict[str, dict[str, tuple[list[float], list[float]]]] = {
        n: {m: ([], []) for m in ("first_ask", "top10", "faceted")} for n in live
    }
    totals: dict[str, list[int]] = {n: [] for n in live}
    load_before = load_average()

    def rotated(turn: int) -> list[str]:
        shift = turn % len(live) if live else 0
        return live[shift:] + live[:shift]

    turn = 0
    for words in asked[1:]:
        for name in rotated(turn):
            reply = sessions[name].ask({"mode": "faceted", "words": words})
            timings[name]["first_ask"][0].append(reply["wall"])
            timings[name]["first_ask"][1].append(reply["cpu"])
            totals[name].append(int(reply["total"]))
        turn += 1
    for rep in range(repeat):
        for number, words in enumerate(asked):
            modes = ("top10", "faceted") if (number + rep) % 2 == 0 else ("faceted", "top10")
            for name in rotated(turn):
                for mode in modes:
                    reply = sessions[name].ask({"mode": mode, "words": words})
                    timings[name][mode][0].append(reply["wall"])
                    timings[name][mode][1].append(reply["cpu"])
            turn += 1
    load_after = load_average()
    for name in live:
        session = sessions[name]
        stats = session.ask({"mode": "stats"})
        session.close()
        found = totals[name]
        out[name] = {
            "method": "interleaved with the other engines query by query, first engine rotating",
            "open_and_first_query_ms": session.opened["open_and_first_query_ms"],
            "open_and_first_query_cpu_ms": session.opened["open_and_first_query_cpu_ms"],
            **{mode: _summary(*timings[name][mode]) for mode in timings[name]},
            "mean_matches": round(sum(found) / len(found), 1) if found else 0,
            "zero_match_queries": sum(1 for t in found if t == 0),
            "queries_asked": len(asked) + 2 * repeat * len(asked),
            "load_before": load_before,
            "load_after": load_after,
            **stats,
        }
    return out


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return float(usage.ru_utime + usage.ru_stime)


def cold(
    commands: dict[str, list[list[str]]],
    runs: int,
    timeout: float,
    sources: dict[str, Path] | None = None,
) -> dict[str, dict[str, Any]]:
    """Wall and CPU time of whole fresh processes, the engines' runs interleaved (rotating).

    ``commands[engine]`` holds one command per run (run 0 is untimed: it warms the page cache).
    """
    names = list(commands)
    walls: dict[str, list[float]] = {n: [] for n in names}
    cpus: dict[str, list[float]] = {n: [] for n in names}
    failed: dict[str, str] = {}
    for number in range(runs + 1):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            if name in failed:
                continue
            command = commands[name][number % len(commands[name])]
            cpu = _children_cpu()
            started = time.perf_counter()
            try:
                done = subprocess.run(
                    command,
                    cwd=ROOT,
                    env=_env((sources or {}).get(name)),
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                )
            except subprocess.TimeoutExpired:
                failed[name] = f"cold query took longer than {timeout:.0f} s"
                continue
            elapsed = time.perf_counter() - started
            used = _children_cpu() - cpu
            if done.returncode not in {0, 1} or not done.stdout.strip():
                failed[name] = f"cold query failed: {done.stderr.strip()[-600:]}"
                continue
            if number:
                walls[name].append(elapsed)
                cpus[name].append(used)
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        if name in failed:
            out[name] = {"error": failed[name]}
            continue
        times, used = walls[name], cpus[name]
        out[name] = {
            "median_ms": round(statistics.median(times) * 1000, 1),
            "min_ms": round(min(times) * 1000, 1),
            "max_ms": round(max(times) * 1000, 1),
            "cpu_median_ms": round(statistics.median(used) * 1000, 1),
            "runs": len(times),
            "interleaved": len(names) > 1,
        }
    return out
