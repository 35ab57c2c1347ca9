"""Small measuring helpers: percentiles, process memory, folder sizes, load average."""

from __future__ import annotations

import os
import resource
from pathlib import Path


def percentile(values: list[float], fraction: float) -> float:
    """Linear-interpolated percentile of ``values`` (fraction in 0..1); nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary_ms(seconds: list[float]) -> dict[str, float]:
    """p50, p95, mean and max of durations given in seconds, in milliseconds."""
    ms = [s * 1000.0 for s in seconds]
    return {
        "p50_ms": round(percentile(ms, 0.50), 3),
        "p95_ms": round(percentile(ms, 0.95), 3),
        "mean_ms": round(sum(ms) / len(ms), 3) if ms else float("nan"),
        "max_ms": round(max(ms), 3) if ms else float("nan"),
        "samples": len(ms),
    }


def status_mb(field: str, pid: int | str = "self") -> float | None:
    """A memory line of /proc/PID/status (VmRSS, VmHWM, ...) in MiB; None where unavailable."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def peak_rss_mb() -> float:
    """The peak resident memory of this process so far, in MiB.

    VmHWM first: Linux carries ``ru_maxrss`` over an exec, so a fresh child would report its
    parent's peak; getrusage only where /proc is missing.
    """
    hwm = status_mb("VmHWM")
    if hwm is not None:
        return hwm
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def load_average() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]
