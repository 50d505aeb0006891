"""The cell key method: every published count carries a small, repeatable noise.

Pure Python (standard library only): no Flask, no database. The database
computes, per cell, the true count and the sum of the record keys of the units
in the cell; this module turns them into what is published. METHOD explains
the method in plain words.

The defaults (MAX_DEVIATION = 4, VARIANCE = 2.0) and some alternatives, as
measured with this module for the rows of counts >= D + 1 (all alike): the
mean absolute noise, and the chance that two cells with the same true count
but different units get the same noise, which is the chance that subtracting
two overlapping published counts gives their exact difference.

  D  V    mean |d|  same noise
  3  1.0  0.729     0.282
  3  1.5  0.929     0.228
  4  1.5  0.922     0.230
  4  2.0  1.084     0.198    <- the defaults
  4  2.5  1.229     0.176
  5  3.0  1.348     0.162

Every row from n = 2 up reaches the requested variance (n = 2 can go down by
one only: mean |d| 1.076, same noise 0.351 with the defaults). The true count
1 can only stay 1, since its noise must average zero without going below 1;
with k >= 3 it is always shown as "<k".
"""
from __future__ import annotations

import bisect
import math
import secrets
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

#: The method in plain words, for the reports' documentation and metadata.
METHOD = """\
How the figures are protected (the cell key method)

Every statistical record (one per counted case, survivor, incident, order...)
carries a secret random number, its record key, drawn once when the record is
made and never shown to anyone. When a table is computed, each cell (each
count, totals included) adds up the record keys of the units it counts; the
remainder of that sum after division by 2^32, scaled to lie between 0 and 1,
is the cell's key. The cell key picks a small noise (a whole number between
-D and +D) from a fixed perturbation table, and the published figure is the
true count plus that noise.

The same units always give the same cell key, so asking the same question
twice, in another report or another file format, gives the same figure:
repeating a query cannot average the noise away. Two different sets of units
give unrelated cell keys, so the difference of two overlapping figures does
not reveal the units they do not share. The noise averages zero, so figures
are not biased up or down; it never turns a true zero into a positive count
nor a positive count into zero. Each total is a cell of its own and is
perturbed on its own, so totals need not equal the sum of their parts.

After the noise is added, a figure from 1 to k-1 is shown as "<k".

Reference: Thompson, G., Broadfoot, S. and Elazar, D. (2013), "Methodology
for the automatic confidentialisation of statistical outputs from remote
servers at the Australian Bureau of Statistics", Joint UNECE/Eurostat work
session on statistical data confidentiality, Ottawa. The perturbation table
follows the maximum entropy approach of Giessing (2016), "Computational
issues in the design of transition probabilities and disclosure risk
estimation for additive noise", Privacy in Statistical Databases, LNCS 9867,
as implemented in the R packages ptable and cellKey (sdcTools).
"""

#: Record keys, and so cell key sums, live in [0, KEY_SPACE).
KEY_SPACE = 2**32
#: The largest noise, in either direction.
MAX_DEVIATION = 4
#: The variance of the noise, where the count allows it.
VARIANCE = 2.0
#: No threshold may go below this (DESIGN.md section 5).
MIN_K = 3

_SEARCH_STEPS = 200
_WIDEST_BRACKET = 2.0**14


def new_record_key() -> int:
    """A fresh secret record key, uniform in [0, KEY_SPACE)."""
    return secrets.randbelow(KEY_SPACE)


def cell_key(key_sum: int) -> float:
    """The cell key in [0, 1) of a cell whose units' record keys sum to key_sum.

    The sum may be taken without any modulus (SQL ``SUM`` over bigint): only its
    remainder modulo KEY_SPACE counts, which makes the key additive.
    """
    return (key_sum % KEY_SPACE) / KEY_SPACE


# --- The perturbation table ------------------------------------------------------------


@dataclass(frozen=True)
class PerturbationRow:
    """The noise distribution for one true count: deviations and their
    probabilities, with the cumulative upper bounds used by the lookup."""

    n: int
    deviations: tuple[int, ...]
    probabilities: tuple[float, ...]
    #: upper_bounds[i] ends the cell-key interval [upper_bounds[i-1], upper_bounds[i])
    #: that selects deviations[i]; the last one is exactly 1.0.
    upper_bounds: tuple[float, ...]

    def noise(self, key: float) -> int:
        """The deviation whose cumulative interval holds the cell key."""
        if not 0.0 <= key < 1.0:
            raise ValueError("a cell key lies in [0, 1)")
        return self.deviations[bisect.bisect_right(self.upper_bounds, key)]

    @property
    def mean(self) -> float:
        return sum(d * p for d, p in zip(self.deviations, self.probabilities, strict=True))

    @property
    def variance(self) -> float:
        second = sum(d * d * p for d, p in zip(self.deviations, self.probabilities, strict=True))
        return second - self.mean**2

    @property
    def mean_abs(self) -> float:
        """The expected absolute error of a count with this true value."""
        return sum(abs(d) * p for d, p in zip(self.deviations, self.probabilities, strict=True))

    @property
    def same_noise(self) -> float:
        """The chance that two cells with this true count and independent cell
        keys get the same noise (the sum of the squared probabilities)."""
        return sum(p * p for p in self.probabilities)


@dataclass(frozen=True)
class PerturbationTable:
    """One row per true count 0..cap; counts above the cap use the cap's row."""

    max_deviation: int
    variance: float
    js: int
    rows: tuple[PerturbationRow, ...]

    @property
    def cap(self) -> int:
        return len(self.rows) - 1

    def row(self, n: int) -> PerturbationRow:
        if n < 0:
            raise ValueError("a count is never negative")
        return self.rows[min(n, self.cap)]

    def perturb(self, n: int, key: float) -> int:
        """The noise added to the true count n in the cell with this cell key."""
        return self.row(n).noise(key)


def _support(n: int, max_deviation: int, js: int) -> list[int]:
    """The deviations allowed for the true count n: a zero stays zero; a
    positive count never lands on 1..js, and only a count from 1 to js (none
    when js = 0) may become 0."""
    if n == 0:
        return [0]
    allowed = []
    for target in range(max(0, n - max_deviation), n + max_deviation + 1):
        if target > js or (target == 0 and n <= js):
            allowed.append(target - n)
    return allowed


def _weights(support: list[int], a: float, b: float) -> list[float]:
    """p(d) proportional to exp(a*d + b*d^2), normalised without overflow."""
    exponents = [a * d + b * d * d for d in support]
    top = max(exponents)
    raw = [math.exp(e - top) for e in exponents]
    total = sum(raw)
    return [w / total for w in raw]


def _moment(support: list[int], weights: list[float], power: int) -> float:
    return sum(d**power * w for d, w in zip(support, weights, strict=True))


def _bisect(f, target: float) -> float:
    """The x where the increasing function f crosses target, by bisection on a
    bracket widened until it holds the crossing (or reaches its widest)."""
    low, high = -1.0, 1.0
    while f(low) > target and low > -_WIDEST_BRACKET:
        low *= 2
    while f(high) < target and high < _WIDEST_BRACKET:
        high *= 2
    for _ in range(_SEARCH_STEPS):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if f(middle) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _centred(support: list[int], b: float) -> list[float]:
    """The maximum-entropy weights with shape parameter b and mean 0: the
    mean is increasing in a (its derivative is the variance)."""
    a = _bisect(lambda a: _moment(support, _weights(support, a, b), 1), 0.0)
    return _weights(support, a, b)


def _fit(support: list[int], variance: float) -> list[float]:
    """Mean 0 and the variance closest to the requested one on this support.

    Along the mean-0 curve the variance increases with b (its derivative is
    the variance of d^2 given d, never negative), so b is found by bisection.
    Beyond the support's reach the largest variance with mean 0 is the
    two-point distribution on the support's ends.
    """
    low, high = support[0], support[-1]
    if low >= 0 or high <= 0:
        if 0 not in support:
            raise ValueError("no distribution with mean 0 on this support")
        return [1.0 if d == 0 else 0.0 for d in support]
    widest = -low * high
    if variance >= widest:
        return [high / (high - low) if d == low else -low / (high - low) if d == high else 0.0
                for d in support]
    b = _bisect(lambda b: _moment(support, _centred(support, b), 2), variance)
    return _centred(support, b)


def _row(n: int, max_deviation: int, variance: float, js: int) -> PerturbationRow:
    support = _support(n, max_deviation, js)
    fitted = _fit(support, variance)
    kept = [(d, p) for d, p in zip(support, fitted, strict=True) if p > 0.0]
    bounds, running = [], 0.0
    for _, p in kept:
        running = min(running + p, 1.0)
        bounds.append(running)
    bounds[-1] = 1.0
    return PerturbationRow(n=n, deviations=tuple(d for d, _ in kept),
                           probabilities=tuple(p for _, p in kept), upper_bounds=tuple(bounds))


@lru_cache(maxsize=16)
def build_ptable(max_deviation: int = MAX_DEVIATION, variance: float = VARIANCE,
                 js: int = 0) -> PerturbationTable:
    """The perturbation table for noises within +-max_deviation of the given
    variance; js > 0 also keeps perturbed counts off 1..js (as ptable's js),
    at the price of letting counts from 1 to js become 0. Cached."""
    if max_deviation < 0 or variance < 0:
        raise ValueError("the maximum deviation and the variance are not negative")
    if js < 0 or (js > 0 and js >= max_deviation):
        raise ValueError("js lies in [0, max_deviation)")
    cap = max_deviation + js + 1
    rows = tuple(_row(n, max_deviation, float(variance), js) for n in range(cap + 1))
    return PerturbationTable(max_deviation=max_deviation, variance=float(variance), js=js,
                             rows=rows)


def expected_abs_error(table: PerturbationTable, n: int | None = None) -> float:
    """The expected absolute noise for the true count n; by default for every
    count from the cap up (the typical, fully symmetric row)."""
    return table.row(table.cap if n is None else n).mean_abs


# --- Publishing ------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """A published count: its value, or None when shown as "<k".

    ``perturbed`` is the count after noise, hidden or not: internal, for
    tests and analysis, never rendered when ``hidden``.
    """

    value: int | None
    hidden: bool
    perturbed: int


def publish(n: int, key_sum: int, k: int, table: PerturbationTable) -> Published:
    """The count n of a cell whose record keys sum to key_sum, as published
    with threshold k. Raises ValueError for k below MIN_K or a negative n."""
    if k < MIN_K:
        raise ValueError(f"the threshold k is never below {MIN_K}")
    perturbed = n + table.perturb(n, cell_key(key_sum))
    hidden = 1 <= perturbed < k or (perturbed == 0 and n > 0)
    return Published(value=None if hidden else perturbed, hidden=hidden, perturbed=perturbed)


# --- What an attacker can learn (for tests) ------------------------------------------


def differencing_recovers(a_published: Published, b_published: Published,
                          true_difference: int) -> bool:
    """Whether subtracting two published counts gives the true difference of
    the underlying counts (a hidden count gives the attacker nothing to subtract)."""
    if a_published.value is None or b_published.value is None:
        return False
    return a_published.value - b_published.value == true_difference


#: (row, column) in margin coordinates: row R holds the column totals, column C
#: the row totals, (R, C) the grand total.
Position = tuple[int, int]


def _true_range(published: int | None, k: int, max_deviation: int) -> tuple[int, int]:
    """What a published value says about the true value: hidden is a true
    count from 1 to k-1+D, 0 is a true zero, any other v is within D of v
    and positive."""
    if published is None:
        return 1, k - 1 + max_deviation
    if published == 0:
        return 0, 0
    if 1 <= published < k:
        raise ValueError("a count from 1 to k-1 is never shown")
    return max(1, published - max_deviation), published + max_deviation


class _Circulation:
    """Flows through rows and columns: source -> row i (the row total), row i
    -> column j (the cell), column j -> sink (the column total), sink -> source
    (the grand total). A flow with every arc within its bounds is exactly a
    table of true counts consistent with what was published."""

    def __init__(self, n_rows: int, n_columns: int):
        self.source, self.sink = 0, 1
        self.n_rows, self.n_columns = n_rows, n_columns
        self.arcs: dict[Position, tuple[int, int, list[int]]] = {}

    def node_of_row(self, i: int) -> int:
        return 2 + i

    def node_of_column(self, j: int) -> int:
        return 2 + self.n_rows + j

    def ends(self, position: Position) -> tuple[int, int]:
        i, j = position
        if i == self.n_rows and j == self.n_columns:
            return self.sink, self.source
        if j == self.n_columns:
            return self.source, self.node_of_row(i)
        if i == self.n_rows:
            return self.node_of_column(j), self.sink
        return self.node_of_row(i), self.node_of_column(j)

    def flow(self, bounds: dict[Position, tuple[int, int]]) -> dict[Position, int] | None:
        """A flow within the bounds, or None: the classic reduction of lower
        bounds to a maximum flow from a super source to a super sink."""
        size = 4 + self.n_rows + self.n_columns
        start, end = size - 2, size - 1
        capacity = [[0] * size for _ in range(size)]
        excess = [0] * size
        for position, (low, high) in bounds.items():
            if low > high:
                return None
            u, v = self.ends(position)
            capacity[u][v] += high - low
            excess[v] += low
            excess[u] -= low
        for node, amount in enumerate(excess):
            if amount > 0:
                capacity[start][node] += amount
            elif amount < 0:
                capacity[node][end] -= amount
        residual = [row[:] for row in capacity]
        if _max_flow(residual, start, end) < sum(a for a in excess if a > 0):
            return None
        found = {}
        for position, (low, _) in bounds.items():
            u, v = self.ends(position)
            found[position] = low + capacity[u][v] - residual[u][v]
        return found


def _max_flow(residual: list[list[int]], start: int, end: int) -> int:
    """Edmonds-Karp on a dense residual matrix, changed in place."""
    total = 0
    while True:
        parent = [-1] * len(residual)
        parent[start] = start
        queue = deque([start])
        while queue and parent[end] < 0:
            u = queue.popleft()
            for v, room in enumerate(residual[u]):
                if room > 0 and parent[v] < 0:
                    parent[v] = u
                    queue.append(v)
        if parent[end] < 0:
            return total
        path, v = [], end
        while v != start:
            path.append((parent[v], v))
            v = parent[v]
        pushed = min(residual[u][v] for u, v in path)
        for u, v in path:
            residual[u][v] -= pushed
            residual[v][u] += pushed
        total += pushed


def pinnable(cells: Sequence[Sequence[int | None]], row_totals: Sequence[int | None],
             column_totals: Sequence[int | None], grand_total: int | None, *,
             k: int, max_deviation: int) -> dict[Position, int]:
    """The hidden values (None, shown as "<k") of one published table whose
    true value is pinned to a single number, with that number.

    The attacker knows every true value lies in its range (see _true_range)
    and that true rows, columns and the grand total add up. The answer is
    exact for that knowledge, not an interval-propagation estimate: the
    constraints form a circulation with integer bounds, whose integer
    solutions reach every integer between an arc's least and greatest flow
    (Hoffman's theorem and total unimodularity), so a hidden value is pinned
    exactly when no consistent table gives it another value. It ignores the
    noise's probabilities (an attacker weighing likelihoods learns more than
    "pinned or not"). Raises ValueError when no true table fits.
    """
    n_rows, n_columns = len(cells), len(column_totals)
    if len(row_totals) != n_rows or any(len(row) != n_columns for row in cells):
        raise ValueError("the totals do not match the table's shape")
    published: dict[Position, int | None] = {}
    for i, row in enumerate(cells):
        for j, value in enumerate(row):
            published[(i, j)] = value
        published[(i, n_columns)] = row_totals[i]
    for j, value in enumerate(column_totals):
        published[(n_rows, j)] = value
    published[(n_rows, n_columns)] = grand_total
    bounds = {position: _true_range(value, k, max_deviation)
              for position, value in published.items()}
    network = _Circulation(n_rows, n_columns)
    one = network.flow(bounds)
    if one is None:
        raise ValueError("no table of true counts fits what was published")
    pinned = {}
    for position, value in published.items():
        if value is not None:
            continue
        low, high = bounds[position]
        candidate = one[position]
        below = candidate > low and network.flow({**bounds, position: (low, candidate - 1)})
        above = candidate < high and network.flow({**bounds, position: (candidate + 1, high)})
        if not below and not above:
            pinned[position] = candidate
    return pinned
