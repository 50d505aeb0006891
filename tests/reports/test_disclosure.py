"""Disclosure control: small counts hidden, and nothing hidden can be recomputed."""
from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coordination.reports import disclosure
from coordination.reports.disclosure import (
    Suppressed,
    exactly_derivable,
    mostly_suppressed,
    pinned_to_one,
    primary_suppression,
    suppress_median,
    suppress_table,
)


# The module is pure: replace the suite's autouse fixtures, which need the database.
@pytest.fixture(autouse=True)
def _rollback():
    yield


@pytest.fixture(autouse=True)
def _english_outside_requests():
    yield


def assert_safe(result: Suppressed) -> None:
    assert exactly_derivable(result) == set()
    assert pinned_to_one(result) == set()


# --- Examples --------------------------------------------------------------------------


def test_a_small_one_by_one_table_hides_the_cell_and_every_total():
    result = suppress_table([[3]])
    assert result.hidden == {(0, 0)}
    assert result.hidden_row_totals == {0} and result.hidden_column_totals == {0}
    assert result.grand_total_hidden
    assert_safe(result)


def test_a_large_one_by_one_table_is_shown():
    result = suppress_table([[7]])
    assert result.hidden_positions() == frozenset()
    assert (result.cell(0, 0), result.row_total(0), result.total()) == (7, 7, 7)


def test_a_column_with_one_small_cell_hides_its_smallest_other_cell():
    result = suppress_table([[3], [20], [10]])
    assert result.hidden == {(0, 0), (2, 0)}
    # In one column a row's total is its cell: hidden with it.
    assert result.hidden_row_totals == {0, 2}
    assert result.column_total(0) == 33 and result.total() == 33
    assert_safe(result)


def test_a_column_whose_only_non_zero_cell_is_small_hides_the_total():
    result = suppress_table([[3], [0], [0]])
    assert result.hidden == {(0, 0)}
    assert result.column_total(0) is None and result.total() is None
    assert result.cell(1, 0) == 0


def test_a_small_cell_beside_one_other_non_zero_cell_hides_that_cell_too():
    # Row 0 would give 10 - 8 = 2.
    result = suppress_table([[2, 8, 0], [6, 7, 9], [5, 6, 8]])
    assert {(0, 0), (0, 1)} <= result.hidden
    assert result.row_total(0) == 10
    assert_safe(result)


def test_two_small_cells_in_different_rows_and_columns_close_one_rectangle():
    result = suppress_table([[2, 10, 12], [11, 3, 14], [13, 15, 16]])
    assert result.hidden == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert not result.hidden_row_totals and not result.hidden_column_totals
    assert not result.grand_total_hidden
    assert_safe(result)


def test_zeros_stay_shown():
    result = suppress_table([[0, 2, 0], [0, 9, 8], [0, 7, 6]])
    assert all(result.cell(r, 0) == 0 for r in range(3))
    assert result.column_total(0) == 0
    assert all(c != 0 for _r, c in result.hidden)
    assert_safe(result)


def test_a_small_total_is_hidden():
    result = suppress_table([[1, 2], [20, 30]])
    assert result.row_total(0) is None
    # Else the grand total 53 minus the other row total 50 would give it back.
    assert result.row_total(1) is None
    assert (result.column_total(0), result.column_total(1), result.total()) == (21, 32, 53)
    assert_safe(result)


def test_cells_that_can_only_be_ones_are_protected():
    # Two hidden cells summing to 2 with the row total shown would each be 1.
    result = suppress_table([[1, 1, 30]])
    assert result.hidden == {(0, 0), (0, 1), (0, 2)}
    assert result.row_total(0) == 32
    assert_safe(result)
    # Five ones with their total 5: nothing of the row may be shown.
    result = suppress_table([[1, 1, 1, 1, 1]])
    assert result.row_total(0) is None and result.total() is None


def test_empty_and_all_zero_tables():
    assert suppress_table([]).hidden_positions() == frozenset()
    assert suppress_table([]).total() == 0
    empty = suppress_table([], columns=2)
    assert empty.column_totals == (0, 0) and empty.total() == 0
    zeros = suppress_table([[0, 0], [0, 0]])
    assert zeros.hidden_positions() == frozenset() and zeros.total() == 0
    assert suppress_table([[], []]).row_totals == (0, 0)


@pytest.mark.parametrize("k", [2, 1, 0, -5])
def test_k_below_three_raises(k):
    with pytest.raises(ValueError):
        suppress_table([[10]], k)
    with pytest.raises(ValueError):
        suppress_median(4.0, 20, k)


def test_bad_tables_raise():
    with pytest.raises(ValueError):
        suppress_table([[1, 2], [3]])
    with pytest.raises(ValueError):
        suppress_table([[5, -1]])
    with pytest.raises(ValueError):
        suppress_table([[5, 6]], columns=3)


def test_k_ten_for_sexual_violence_works_the_same_way():
    counts = [[6, 30], [12, 40]]
    assert not suppress_table(counts).hidden
    result = suppress_table(counts, disclosure.SEXUAL_VIOLENCE_K)
    assert result.hidden == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert result.k == 10
    assert_safe(result)


def test_medians_under_k_cases_are_hidden():
    assert suppress_median(12.5, 4) is None
    assert suppress_median(12.5, 5) == 12.5
    assert suppress_median(12.5, 9, 10) is None
    assert suppress_median(None, 30) is None
    with pytest.raises(ValueError):
        suppress_median(1.0, -1)


def test_mostly_suppressed():
    assert mostly_suppressed(suppress_table([[1, 2], [3, 0]]))
    assert not mostly_suppressed(suppress_table([[10, 20], [30, 40]]))
    assert not mostly_suppressed(suppress_table([[0, 0]]))
    # 4 of 9 non-zero cells hidden: not more than half, but more than a third.
    half_hidden = suppress_table([[2, 10, 12], [11, 3, 14], [13, 15, 16]])
    assert not mostly_suppressed(half_hidden)
    assert mostly_suppressed(half_hidden, share=1 / 3)
    with pytest.raises(ValueError):
        mostly_suppressed(half_hidden, share=1.5)


def test_display_uses_one_marker_for_every_hidden_value():
    result = suppress_table([[2, 8], [7, 9]])
    assert [result.display(result.cell(0, c)) for c in range(2)] == ["x", "x"]
    assert result.display(result.total()) == "26"


# --- The audit can fail ----------------------------------------------------------------


def test_the_audit_finds_what_primary_suppression_alone_leaves_open():
    # Row 0's total 10 minus the shown 8 gives the hidden 2.
    assert exactly_derivable(primary_suppression([[2, 8], [7, 9]])) == {(0, 0)}
    # A small total alone: the grand total minus the other row total.
    leaky = primary_suppression([[1, 2], [20, 30]])
    assert (0, 2) in exactly_derivable(leaky)


def test_the_audit_finds_a_bridge_between_two_cycles():
    # Two hidden rectangles joined by one hidden cell: every line holds 0 or 2+
    # hidden cells, yet the joining cell is determined.
    counts = [[10] * 4 for _ in range(4)]
    hidden = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)}
    result = Suppressed(
        counts=tuple(tuple(row) for row in counts), row_totals=(40,) * 4,
        column_totals=(40,) * 4, grand_total=160, hidden=frozenset(hidden),
        hidden_row_totals=frozenset(), hidden_column_totals=frozenset(),
        grand_total_hidden=False, k=5,
    )
    assert exactly_derivable(result) == {(1, 2)}


def test_the_audit_finds_cells_pinned_to_one():
    # The row 1 + 1 = 2 pins the cells; the column totals' line 1 + 1 + 30 = 32 theirs.
    assert pinned_to_one(primary_suppression([[1, 1, 30]])) == {(0, 0), (0, 1), (1, 0), (1, 1)}


# --- Properties ------------------------------------------------------------------------


@st.composite
def tables(draw, max_size: int = 6) -> tuple[list[list[int]], int]:
    k = draw(st.integers(3, 10))
    rows, columns = draw(st.integers(1, max_size)), draw(st.integers(1, max_size))
    value = st.one_of(st.just(0), st.integers(1, k - 1), st.integers(k, 60))
    counts = draw(st.lists(st.lists(value, min_size=columns, max_size=columns),
                           min_size=rows, max_size=rows))
    return counts, k


@settings(max_examples=300, deadline=None)
@given(tables())
def test_every_small_value_is_hidden(table):
    counts, k = table
    result = suppress_table(counts, k)
    grid = result.margins()
    hidden = result.hidden_positions()
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if 0 < value < k:
                assert (r, c) in hidden
            if value == 0:
                assert (r, c) not in hidden


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_hidden_value_can_be_recomputed(table):
    counts, k = table
    assert_safe(suppress_table(counts, k))


@settings(max_examples=300, deadline=None)
@given(tables())
def test_shown_values_are_the_true_ones_and_the_output_is_deterministic(table):
    counts, k = table
    original = copy.deepcopy(counts)
    result = suppress_table(counts, k)
    assert counts == original
    assert result.counts == tuple(map(tuple, counts))
    assert result.row_totals == tuple(sum(row) for row in counts)
    assert result.column_totals == tuple(map(sum, zip(*counts, strict=True)))
    assert result.grand_total == sum(map(sum, counts))
    for r, row in enumerate(counts):
        for c, value in enumerate(row):
            assert result.cell(r, c) in (value, None)
            assert (result.cell(r, c) is None) == ((r, c) in result.hidden)
    assert suppress_table(copy.deepcopy(counts), k) == result


@settings(max_examples=300, deadline=None)
@given(tables(max_size=4), st.data())
def test_the_algorithms_bridges_are_exactly_what_the_audit_derives(table, data):
    # The algorithm reasons on cycles in a graph; the audit on linear algebra.
    # They must agree on any pattern of hidden non-zero values, not only ours.
    counts, k = table
    grid = primary_suppression(counts, k).margins()
    non_zero = sorted((r, c) for r, row in enumerate(grid) for c, v in enumerate(row) if v)
    hidden = set(data.draw(st.lists(st.sampled_from(non_zero), unique=True) if non_zero
                           else st.just([])))
    pattern = disclosure._result(grid, hidden, k)
    assert exactly_derivable(pattern) == set(disclosure._bridges(grid, hidden))
