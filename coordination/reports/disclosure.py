"""Disclosure control for the anonymized aggregate reports (DESIGN.md section 5).

A table of counts is published with its row totals, column totals and grand
total. Every count from 1 to k-1 is hidden (primary suppression), and further
values are hidden (complementary suppression) until no hidden value can be
recomputed from what is shown.

The module works on the table *with its margins*: an (R+1) x (C+1) grid whose
last column holds the row totals, whose last row holds the column totals and
whose corner holds the grand total ("margin coordinates"). Each line of that
grid is an equation: its entries sum to its last entry. Seen as a bipartite
graph (lines are nodes, hidden entries are edges), a hidden value is exactly
derivable if and only if its edge is a bridge, i.e. lies on no cycle; so the
algorithm closes every bridge into a cycle along the cheapest path.
``exactly_derivable`` checks the result independently, by exact linear algebra.

Pure Python: no Flask, no database.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

#: The default threshold: counts from 1 to DEFAULT_K - 1 are hidden.
DEFAULT_K = 5
#: The threshold for any breakdown of sexual violence.
SEXUAL_VIOLENCE_K = 10
#: No configuration may go below this threshold.
MIN_K = 3
#: How every hidden value is rendered. One marker for all, on purpose: "<5" on a
#: complementary cell (which may hold 40) would be false, and a second marker
#: would tell an attacker which hidden cells are at least k, narrowing the rest.
MARKER = "x"

#: (row, column) in margin coordinates; row R / column C are the totals.
Position = tuple[int, int]


def check_k(k: int) -> int:
    """Return k if it is a usable threshold; raise ValueError if it is below MIN_K."""
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"k must be an int, not {type(k).__name__}")
    if k < MIN_K:
        raise ValueError(f"k must be at least {MIN_K}, got {k}")
    return k


@dataclass(frozen=True)
class Suppressed:
    """One table after disclosure control: the true values and what is hidden.

    All numbers are the true ones; ``hidden*`` says which must not be shown.
    Render through ``cell``/``row_total``/``column_total``/``total`` (None when
    hidden) and ``display``.
    """

    counts: tuple[tuple[int, ...], ...]
    row_totals: tuple[int, ...]
    column_totals: tuple[int, ...]
    grand_total: int
    #: Interior cells hidden, as (row, column).
    hidden: frozenset[tuple[int, int]]
    hidden_row_totals: frozenset[int]
    hidden_column_totals: frozenset[int]
    grand_total_hidden: bool
    k: int

    @property
    def n_rows(self) -> int:
        return len(self.counts)

    @property
    def n_columns(self) -> int:
        return len(self.column_totals)

    def cell(self, row: int, column: int) -> int | None:
        """Return the count to show in a cell, or None if it is hidden."""
        return None if (row, column) in self.hidden else self.counts[row][column]

    def row_total(self, row: int) -> int | None:
        """Return the row's total to show, or None if it is hidden."""
        return None if row in self.hidden_row_totals else self.row_totals[row]

    def column_total(self, column: int) -> int | None:
        """Return the column's total to show, or None if it is hidden."""
        return None if column in self.hidden_column_totals else self.column_totals[column]

    def total(self) -> int | None:
        """Return the grand total to show, or None if it is hidden."""
        return None if self.grand_total_hidden else self.grand_total

    @staticmethod
    def display(value: int | None, marker: str = MARKER) -> str:
        """Return the text for a shown value, or ``marker`` for a hidden one (None)."""
        return marker if value is None else str(value)

    def margins(self) -> list[list[int]]:
        """Return the table with its margins: rows + a totals row, columns + a totals column."""
        grid = [[*row, total] for row, total in zip(self.counts, self.row_totals, strict=True)]
        grid.append([*self.column_totals, self.grand_total])
        return grid

    def hidden_positions(self) -> frozenset[Position]:
        """Return every hidden value (cells and totals) in margin coordinates."""
        rows, columns = self.n_rows, self.n_columns
        found = set(self.hidden)
        found.update((row, columns) for row in self.hidden_row_totals)
        found.update((rows, column) for column in self.hidden_column_totals)
        if self.grand_total_hidden:
            found.add((rows, columns))
        return frozenset(found)


# --- Building blocks -----------------------------------------------------------------


def _margins(counts: Sequence[Sequence[int]], columns: int | None) -> list[list[int]]:
    """Return the counts with totals appended; raise ValueError on a bad table."""
    widths = {len(row) for row in counts}
    if columns is not None:
        widths.add(columns)  # a table without rows still has its columns' totals
    if len(widths) > 1:
        raise ValueError("all rows must have the same number of columns")
    columns = widths.pop() if widths else 0
    for row in counts:
        for value in row:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"counts must be ints, not {type(value).__name__}")
            if value < 0:
                raise ValueError(f"counts cannot be negative, got {value}")
    grid = [[*row, sum(row)] for row in counts]
    grid.append([sum(row[column] for row in grid) for column in range(columns + 1)])
    return grid


def _result(grid: list[list[int]], hidden: set[Position], k: int) -> Suppressed:
    rows, columns = len(grid) - 1, len(grid[0]) - 1
    return Suppressed(
        counts=tuple(tuple(row[:columns]) for row in grid[:rows]),
        row_totals=tuple(row[columns] for row in grid[:rows]),
        column_totals=tuple(grid[rows][:columns]),
        grand_total=grid[rows][columns],
        hidden=frozenset(p for p in hidden if p[0] < rows and p[1] < columns),
        hidden_row_totals=frozenset(r for r, c in hidden if r < rows and c == columns),
        hidden_column_totals=frozenset(c for r, c in hidden if r == rows and c < columns),
        grand_total_hidden=(rows, columns) in hidden,
        k=k,
    )


def _lines(grid: list[list[int]]) -> Iterator[tuple[list[Position], Position]]:
    """Yield each line of the margin grid as (its entries, its total's position)."""
    rows, columns = len(grid) - 1, len(grid[0]) - 1
    for r in range(rows + 1):
        yield [(r, c) for c in range(columns)], (r, columns)
    for c in range(columns + 1):
        yield [(r, c) for r in range(rows)], (rows, c)


def _primary(grid: list[list[int]], k: int) -> set[Position]:
    """Return every value from 1 to k-1, totals included."""
    return {(r, c) for r, row in enumerate(grid) for c, value in enumerate(row) if 0 < value < k}


def primary_suppression(counts: Sequence[Sequence[int]], k: int = DEFAULT_K, *,
                        columns: int | None = None) -> Suppressed:
    """Return the table with only the small values hidden (not safe to publish: a step
    of ``suppress_table``, public so that the audit can be shown to catch it).

    Raises ValueError for k < MIN_K, a ragged table or a negative count.
    """
    check_k(k)
    grid = _margins(counts, columns)
    return _result(grid, _primary(grid, k), k)


# --- The graph view: lines are nodes, hidden values are edges --------------------------


def _ends(grid: list[list[int]], position: Position) -> tuple[int, int]:
    """Return the two line nodes a position joins: its row, and its column after the rows."""
    return position[0], len(grid) + position[1]


def _connected(grid: list[list[int]], edges: set[Position], start: int, goal: int) -> bool:
    adjacent: dict[int, list[int]] = {}
    for position in edges:
        a, b = _ends(grid, position)
        adjacent.setdefault(a, []).append(b)
        adjacent.setdefault(b, []).append(a)
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt in adjacent.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def _bridges(grid: list[list[int]], hidden: set[Position]) -> list[Position]:
    """Return the hidden positions on no cycle of hidden values, in order: the derivable ones."""
    return [
        position for position in sorted(hidden)
        if not _connected(grid, hidden - {position}, *_ends(grid, position))
    ]


def _cheapest_cycle(grid: list[list[int]], hidden: set[Position],
                    bridge: Position) -> set[Position]:
    """Return the shown values to hide so that ``bridge`` lies on a cycle.

    Dijkstra between the bridge's two lines over non-zero values other than the
    bridge: hidden ones are free, shown ones cost (their value, 1), so the least
    is hidden, then the fewest. Such a path always exists: a non-zero cell's row
    total, column total and the grand total are non-zero too.
    """
    start, goal = _ends(grid, bridge)
    adjacent: dict[int, list[tuple[int, Position]]] = {}
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if value and (r, c) != bridge:
                a, b = _ends(grid, (r, c))
                adjacent.setdefault(a, []).append((b, (r, c)))
                adjacent.setdefault(b, []).append((a, (r, c)))
    best: dict[int, tuple[int, int]] = {start: (0, 0)}
    via: dict[int, tuple[int, Position]] = {}
    queue = [(0, 0, start)]
    while queue:
        spent, count, node = heapq.heappop(queue)
        if node == goal:
            break
        if (spent, count) > best[node]:
            continue  # a stale entry: the node was reached more cheaply since
        for nxt, position in adjacent.get(node, ()):
            r, c = position
            step = (0, 0) if position in hidden else (grid[r][c], 1)
            cost = (spent + step[0], count + step[1])
            if nxt not in best or cost < best[nxt]:
                best[nxt], via[nxt] = cost, (node, position)
                heapq.heappush(queue, (*cost, nxt))
    if goal not in best:  # cannot happen for a non-zero bridge (see above)
        raise AssertionError(f"no cycle through {bridge}")
    path, node = set(), goal
    while node != start:
        node, position = via[node]
        path.add(position)
    return path - hidden


def _all_ones(grid: list[list[int]], hidden: set[Position]) -> Iterator[list[Position]]:
    """Yield each line with a shown total whose hidden entries must all be 1.

    Hidden values are never 0 (zeros are shown), so m hidden entries summing to
    m are each exactly 1: a disclosure the linear algebra alone does not see.
    """
    for entries, total in _lines(grid):
        secret = [p for p in entries if p in hidden]
        if secret and total not in hidden and sum(grid[r][c] for r, c in secret) == len(secret):
            yield entries + [total]


def _smallest_shown(grid: list[list[int]], hidden: set[Position], line: list[Position]) -> Position:
    """Return the line's smallest shown non-zero entry, its total last (it is the largest)."""
    shown = [p for p in line if p not in hidden and grid[p[0]][p[1]]]
    return min(shown, key=lambda p: (grid[p[0]][p[1]], p == line[-1], p))


def suppress_table(counts: Sequence[Sequence[int]], k: int = DEFAULT_K, *,
                   columns: int | None = None) -> Suppressed:
    """Return the table with what must be hidden: small values, then complements.

    ``counts`` is rows x columns of non-negative ints, the totals are computed
    from it; pass ``columns`` for a table that may have no rows. Deterministic.
    Raises ValueError for k < MIN_K, a ragged table (or rows of another width
    than ``columns``) or a negative count, TypeError for a count that is no int.
    """
    check_k(k)
    grid = _margins(counts, columns)
    hidden = _primary(grid, k)
    while True:
        bridges = _bridges(grid, hidden)
        if bridges:
            hidden |= _cheapest_cycle(grid, hidden, bridges[0])
            continue
        line = next(_all_ones(grid, hidden), None)
        if line is None:
            return _result(grid, hidden, k)
        hidden.add(_smallest_shown(grid, hidden, line))


# --- The audit -------------------------------------------------------------------------


def _rref(matrix: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    """Return the reduced row echelon form's non-zero rows as (pivot column, row)."""
    rows = [row[:] for row in matrix]
    width = len(rows[0]) if rows else 0
    pivots: list[tuple[int, list[Fraction]]] = []
    for column in range(width):
        at = next((i for i, row in enumerate(rows) if row[column] != 0), None)
        if at is None:
            continue
        lead = rows.pop(at)
        lead = [value / lead[column] for value in lead]
        for other in [*rows, *(row for _, row in pivots)]:
            factor = other[column]
            if factor:
                other[:] = [a - factor * b for a, b in zip(other, lead, strict=True)]
        pivots.append((column, lead))
    return pivots


def exactly_derivable(result: Suppressed) -> set[Position]:
    """Return the hidden values (margin coordinates) that what is shown determines exactly.

    The attacker's equations: every line of the margin grid sums to its total,
    with the hidden values as unknowns. An unknown is determined when its unit
    vector lies in the row space: in reduced echelon form, it is a pivot whose
    row has no other non-zero entry. Exact arithmetic with Fraction.
    """
    grid = result.margins()
    unknowns = sorted(result.hidden_positions())
    index = {position: i for i, position in enumerate(unknowns)}
    matrix = []
    for entries, total in _lines(grid):
        equation = [Fraction(0)] * len(unknowns)
        for position in entries:
            if position in index:
                equation[index[position]] += 1
        if total in index:
            equation[index[total]] -= 1
        if any(equation):
            matrix.append(equation)
    return {
        unknowns[column] for column, row in _rref(matrix)
        if all(value == 0 for i, value in enumerate(row) if i != column)
    }


def pinned_to_one(result: Suppressed) -> set[Position]:
    """Return the hidden values that a line with a shown total forces to be exactly 1."""
    grid = result.margins()
    hidden = set(result.hidden_positions())
    return {p for line in _all_ones(grid, hidden) for p in line[:-1] if p in hidden}


# --- Medians and coarsening ------------------------------------------------------------


def suppress_median(value: float | None, n: int, k: int = DEFAULT_K) -> float | None:
    """Return the median to show, or None when it rests on fewer than k cases.

    Raises ValueError for k < MIN_K or a negative n.
    """
    check_k(k)
    if n < 0:
        raise ValueError(f"the number of cases cannot be negative, got {n}")
    return None if n < k else value


def mostly_suppressed(result: Suppressed, share: float = 0.5) -> bool:
    """Return whether more than ``share`` of the non-zero interior cells are hidden,
    the sign to offer a coarser territory. False for a table without non-zero cells.

    Raises ValueError if share is not between 0 and 1.
    """
    if not 0 <= share <= 1:
        raise ValueError(f"share must be between 0 and 1, got {share}")
    non_zero = sum(1 for row in result.counts for value in row if value)
    return non_zero > 0 and len(result.hidden) > share * non_zero
