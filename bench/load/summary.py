"""From recorded requests to the printed figures: the table and the final line.

Every request of a phase is recorded as a :class:`Sample` (Locust's request
event); latency and throughput are computed from those that finished in the
measured window, exact percentiles rather than Locust's rounded buckets.
Failures count over the whole run, warm-up included.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: The issue's targets.
MAX_P95_MS = 150.0
MIN_FRACTION_OF_BASELINE = 0.30


@dataclass(frozen=True)
class Sample:
    """One request: its label, when it started (epoch seconds), how long it
    took, and why it failed (None when it did not)."""

    name: str
    started: float
    milliseconds: float
    error: str | None = None

    @property
    def finished(self) -> float:
        return self.started + self.milliseconds / 1000


@dataclass(frozen=True)
class Row:
    """The figures of one request label (or of all, ``name == "total"``)."""

    name: str
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float = 0.0


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` in 0..1) of ``values``; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(math.ceil(fraction * len(ordered)), 1)
    return ordered[rank - 1]


def in_window(samples: Iterable[Sample], start: float, end: float) -> list[Sample]:
    """The samples that finished within ``[start, end]``."""
    return [s for s in samples if start <= s.finished <= end]


def row(name: str, samples: Sequence[Sample], seconds: float) -> Row:
    """The figures of ``samples`` measured over ``seconds``."""
    times = [s.milliseconds for s in samples]
    return Row(
        name=name, requests=len(samples), failures=sum(1 for s in samples if s.error),
        rps=len(samples) / seconds if seconds > 0 else 0.0,
        p50_ms=percentile(times, 0.50), p95_ms=percentile(times, 0.95),
        p99_ms=percentile(times, 0.99), max_ms=max(times, default=0.0),
        mean_ms=sum(times) / len(times) if times else 0.0,
    )


def rows(samples: Sequence[Sample], seconds: float) -> list[Row]:
    """One row per request label (by name), then the total."""
    by_name: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_name[sample.name].append(sample)
    return [*(row(name, by_name[name], seconds) for name in sorted(by_name)),
            row("total", samples, seconds)]


def table(title: str, measured: Sequence[Row]) -> str:
    """A plain text table of rows; ``time %`` is each label's share of the
    time users spent waiting (requests x mean), ``p95/target`` its p95 over
    :data:`MAX_P95_MS`."""
    header = (f"{'request':<34} {'count':>7} {'fail':>5} {'req/s':>8} "
              f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
              f"{'time %':>7} {'p95/target':>10}")
    waited = sum(r.requests * r.mean_ms for r in measured if r.name != "total") or 1.0
    lines = [title, header, "-" * len(header)]
    for r in measured:
        if r.name == "total":
            lines.append("-" * len(header))
        lines.append(f"{r.name:<34} {r.requests:>7} {r.failures:>5} {r.rps:>8.1f} "
                     f"{r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {r.p99_ms:>8.1f} {r.max_ms:>8.1f} "
                     f"{100 * r.requests * r.mean_ms / waited:>7.1f} "
                     f"{r.p95_ms / MAX_P95_MS:>10.2f}")
    return "\n".join(lines)


def budget_ms(users: int, baseline_rps: float) -> float:
    """The mean time per request (ms) at which ``users`` working without pauses
    would reach the throughput target: by Little's law, users / (target rps)."""
    target = MIN_FRACTION_OF_BASELINE * baseline_rps
    return 1000 * users / target if target else 0.0


@dataclass(frozen=True)
class Figures:
    """The run's headline figures (the final line)."""

    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    failures: int
    lost_updates: int
    baseline_rps: float

    @property
    def fraction_of_baseline(self) -> float:
        return self.rps / self.baseline_rps if self.baseline_rps else 0.0

    def line(self) -> str:
        """``rps=... p50_ms=... ... fraction_of_baseline=...`` on one line."""
        return (f"rps={self.rps:.1f} p50_ms={self.p50_ms:.1f} p95_ms={self.p95_ms:.1f} "
                f"p99_ms={self.p99_ms:.1f} failures={self.failures} "
                f"lost_updates={self.lost_updates} baseline_rps={self.baseline_rps:.1f} "
                f"fraction_of_baseline={self.fraction_of_baseline:.3f}")

    def targets(self) -> list[tuple[str, bool]]:
        """Each target of the issue, and whether this run met it."""
        return [
            ("zero failures", self.failures == 0),
            ("zero lost updates", self.lost_updates == 0),
            (f"p95 <= {MAX_P95_MS:.0f} ms", self.p95_ms <= MAX_P95_MS),
            (f">= {MIN_FRACTION_OF_BASELINE:.0%} of the baseline's throughput",
             self.fraction_of_baseline >= MIN_FRACTION_OF_BASELINE),
        ]


def figures(mix: Row, baseline: Row, failures: int, lost_updates: int) -> Figures:
    """The headline figures from the two phases' totals."""
    return Figures(rps=mix.rps, p50_ms=mix.p50_ms, p95_ms=mix.p95_ms, p99_ms=mix.p99_ms,
                   failures=failures, lost_updates=lost_updates, baseline_rps=baseline.rps)
