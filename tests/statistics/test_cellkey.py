"""The cell key method: the perturbation table, the lookup, publishing, and
what an attacker can learn from differences and from a table's lines."""
from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coordination.statistics.cellkey import (
    KEY_SPACE,
    MAX_DEVIATION,
    METHOD,
    VARIANCE,
    Published,
    build_ptable,
    cell_key,
    differencing_recovers,
    expected_abs_error,
    new_record_key,
    pinnable,
    publish,
)


# The module is pure: replace the suite's autouse fixtures, which need the database.
@pytest.fixture(autouse=True)
def _rollback():
    yield


@pytest.fixture(autouse=True)
def _english_outside_requests():
    yield


TABLES = [(MAX_DEVIATION, VARIANCE, 0), (3, 1.0, 0), (3, 1.5, 0), (5, 3.0, 0), (1, 0.5, 0),
          (4, 2.0, 2), (4, 9.0, 0)]


def random_keys(rng: random.Random, count: int) -> list[int]:
    return [rng.randrange(KEY_SPACE) for _ in range(count)]


# --- The table ---------------------------------------------------------------------------


@pytest.mark.parametrize("params", TABLES, ids=str)
def test_every_row_is_a_distribution_with_mean_zero(params):
    table = build_ptable(*params)
    for row in table.rows:
        assert sum(row.probabilities) == pytest.approx(1.0, abs=1e-12)
        assert all(p >= 0 for p in row.probabilities)
        assert abs(row.mean) < 1e-12
        assert row.upper_bounds[-1] == 1.0
        assert list(row.upper_bounds) == sorted(row.upper_bounds)


@pytest.mark.parametrize("params", TABLES, ids=str)
def test_support_rules(params):
    max_deviation, _, js = params
    table = build_ptable(*params)
    assert table.row(0).deviations == (0,)
    for row in table.rows[1:]:
        targets = [row.n + d for d in row.deviations]
        assert all(abs(d) <= max_deviation for d in row.deviations)
        assert all(t > js for t in targets if t != 0)
        if row.n > js:
            assert 0 not in targets


@pytest.mark.parametrize("params", TABLES, ids=str)
def test_variance_is_the_requested_one_where_the_support_allows_it(params):
    max_deviation, variance, js = params
    table = build_ptable(*params)
    for row in table.rows[1:]:
        low, high = min(row.deviations), max(row.deviations)
        widest = -low * high  # the two-point distribution on the ends
        if widest > variance:
            assert row.variance == pytest.approx(variance, abs=1e-9), row.n
        else:
            assert row.variance == pytest.approx(max(widest, 0), abs=1e-9), row.n


def test_variance_too_large_for_the_support_takes_the_largest_possible():
    row = build_ptable(4, 9.0).row(2)  # support -1..4: the widest variance is 4
    assert row.variance == pytest.approx(4.0)
    assert abs(row.mean) < 1e-12


def test_counts_above_the_cap_use_the_caps_row():
    table = build_ptable()
    assert table.cap == MAX_DEVIATION + 1
    assert table.row(1000) is table.rows[-1]
    with pytest.raises(ValueError):
        table.row(-1)


def test_the_defaults_keep_the_error_small_and_the_noise_varied():
    table = build_ptable()
    assert expected_abs_error(table) < 1.2
    for n in (10, 50, 1000):
        assert table.row(n).same_noise < 0.30
    assert build_ptable() is table  # cached


def test_a_wider_variance_costs_accuracy():
    assert expected_abs_error(build_ptable(3, 1.0)) < expected_abs_error(build_ptable(5, 3.0))


@pytest.mark.parametrize("params", [(-1, 1.0, 0), (4, -1.0, 0), (4, 2.0, 4), (4, 2.0, -1)])
def test_impossible_parameters_are_refused(params):
    with pytest.raises(ValueError):
        build_ptable(*params)


def test_method_text_cites_the_reference():
    assert "Thompson" in METHOD and "2013" in METHOD


# --- Keys and the lookup ---------------------------------------------------------------


def test_record_keys_are_in_the_key_space():
    keys = [new_record_key() for _ in range(200)]
    assert all(0 <= key < KEY_SPACE for key in keys)
    assert len(set(keys)) > 190


def test_cell_key_is_in_the_unit_interval():
    assert cell_key(0) == 0.0
    assert cell_key(KEY_SPACE) == 0.0
    assert 0.0 <= cell_key(KEY_SPACE * 7 - 1) < 1.0
    assert cell_key(KEY_SPACE // 2) == 0.5


def test_the_lookup_is_deterministic():
    table = build_ptable()
    rng = random.Random(11)
    for _ in range(500):
        n, key_sum = rng.randrange(60), rng.randrange(KEY_SPACE * 50)
        assert publish(n, key_sum, 5, table) == publish(n, key_sum, 5, build_ptable())


def test_true_zeros_stay_zero_and_positives_never_become_zero():
    table = build_ptable()
    rng = random.Random(12)
    for _ in range(3000):
        key = rng.random()
        assert table.perturb(0, key) == 0
        n = rng.randrange(1, 40)
        assert n + table.perturb(n, key) >= 1


def test_the_interval_ends_select_the_neighbouring_deviations():
    row = build_ptable().row(20)
    assert row.noise(0.0) == row.deviations[0]
    assert row.noise(row.upper_bounds[0]) == row.deviations[1]
    assert row.noise(1.0 - 2**-40) == row.deviations[-1]
    with pytest.raises(ValueError):
        row.noise(1.0)


@settings(max_examples=200, deadline=None)
@given(keys=st.lists(st.integers(0, KEY_SPACE - 1), min_size=1, max_size=40),
       cuts=st.lists(st.integers(0, 40), max_size=5), seed=st.integers(0, 2**16))
def test_the_same_units_get_the_same_noise_in_any_order_or_grouping(keys, cuts, seed):
    """Key sums are additive modulo 2**32: a cell summed per group in SQL, in
    any order, gets the same cell key and so the same noise."""
    table = build_ptable()
    shuffled = keys[:]
    random.Random(seed).shuffle(shuffled)
    bounds = sorted({0, len(shuffled), *(c for c in cuts if c <= len(shuffled))})
    partial_sums = [sum(shuffled[a:b]) % KEY_SPACE for a, b in itertools.pairwise(bounds)]
    n = len(keys)
    assert cell_key(sum(partial_sums)) == cell_key(sum(keys))
    assert table.perturb(n, cell_key(sum(partial_sums))) == table.perturb(n, cell_key(sum(keys)))


@pytest.mark.parametrize("n", [2, 3, 20])
def test_the_noise_over_random_units_follows_the_table(n):
    """Chi-square of the noises of many cells of n random units against the
    row's probabilities (seeded: the same draws every run)."""
    table = build_ptable()
    row = table.row(n)
    rng = random.Random(1000 + n)
    draws = 20_000
    seen = dict.fromkeys(row.deviations, 0)
    for _ in range(draws):
        seen[table.perturb(n, cell_key(sum(random_keys(rng, n))))] += 1
    chi_square = sum((seen[d] - p * draws) ** 2 / (p * draws)
                     for d, p in zip(row.deviations, row.probabilities, strict=True))
    # Degrees of freedom at most 8: 40 lies far beyond the 0.9999 quantile (~31.8).
    assert chi_square < 40, (chi_square, seen)


# --- Publishing ------------------------------------------------------------------------


@pytest.mark.parametrize("k", [3, 5, 10])
def test_publish_hides_one_to_k_minus_one(k):
    table = build_ptable()
    rng = random.Random(k)
    hidden_seen = shown_seen = 0
    for _ in range(4000):
        n, key_sum = rng.randrange(0, 3 * k), rng.randrange(KEY_SPACE)
        result = publish(n, key_sum, k, table)
        assert result.perturbed == n + table.perturb(n, cell_key(key_sum))
        if 1 <= result.perturbed < k:
            assert result.hidden and result.value is None
        if result.hidden:
            hidden_seen += 1
            assert result.value is None
        else:
            shown_seen += 1
            assert result.value == result.perturbed
            assert result.value == 0 or result.value >= k
            assert (result.value == 0) == (n == 0)
    assert hidden_seen and shown_seen


def test_publish_adds_the_tables_noise():
    table = build_ptable()
    assert publish(30, 12345, 5, table) == Published(
        value=30 + table.perturb(30, cell_key(12345)), hidden=False,
        perturbed=30 + table.perturb(30, cell_key(12345)))
    assert publish(0, 999, 5, table) == Published(value=0, hidden=False, perturbed=0)
    assert publish(1, 999, 5, table) == Published(value=None, hidden=True, perturbed=1)


def test_publish_refuses_a_threshold_below_three():
    with pytest.raises(ValueError):
        publish(10, 1, 2, build_ptable())


def test_a_perturbed_zero_from_a_positive_count_is_hidden():
    """With js > 0 a count from 1 to js may become 0; a 0 is shown only for a true zero."""
    table = build_ptable(4, 2.0, js=2)
    keys = [key for key in range(0, KEY_SPACE, KEY_SPACE // 997)
            if table.perturb(1, cell_key(key)) == -1]
    assert keys
    assert publish(1, keys[0], 5, table) == Published(value=None, hidden=True, perturbed=0)


# --- Differencing ------------------------------------------------------------------------


def differencing_rate(table, tries: int = 2000, seed: int = 2013) -> float:
    """Units in a fixed order (say, by date); two ranges from the same start,
    the longer one holding 1..9 more units; the attacker subtracts."""
    rng = random.Random(seed)
    keys = random_keys(rng, 3000)
    recovered = 0
    for _ in range(tries):
        start, shorter, extra = rng.randrange(1000), rng.randrange(10, 300), rng.randint(1, 9)
        a = keys[start:start + shorter + extra]
        b = keys[start:start + shorter]
        recovered += differencing_recovers(publish(len(a), sum(a), 5, table),
                                           publish(len(b), sum(b), 5, table), extra)
    return recovered / tries


def test_differencing_rarely_recovers_the_true_difference():
    rate = differencing_rate(build_ptable())
    print(f"differencing attack: exact difference recovered in {rate:.1%} of tries")
    assert rate <= 0.35, f"differencing recovered the exact difference in {rate:.1%} of tries"


def test_without_noise_differencing_always_recovers():
    """The simulation can fail: with D = 0 every difference is exact."""
    assert differencing_rate(build_ptable(0, 0.0), tries=200) == 1.0


def test_a_hidden_count_gives_nothing_to_subtract():
    hidden = Published(value=None, hidden=True, perturbed=3)
    assert not differencing_recovers(Published(12, False, 12), hidden, 9)
    assert differencing_recovers(Published(12, False, 12), Published(9, False, 9), 3)


# --- Pinning hidden cells from a table's lines -------------------------------------------


def test_unperturbed_table_pins_a_lone_hidden_cell():
    """D = 0: the hidden cell is its row total minus the rest of its row."""
    found = pinnable([[None, 10], [7, 8]], [13, 15], [10, 18], 28, k=5, max_deviation=0)
    assert found == {(0, 0): 3}


def test_unperturbed_table_pins_a_hidden_total():
    found = pinnable([[20, 10], [0, None]], [30, None], [20, 13], 33, k=5, max_deviation=0)
    assert found == {(1, 1): 3, (1, 2): 3}


def test_unperturbed_cycle_of_hidden_cells_is_not_pinned():
    cells = [[None, None, 9], [None, None, 8]]
    found = pinnable(cells, [14, 13], [5, 5, 17], 27, k=5, max_deviation=0)
    assert found == {}


@pytest.mark.parametrize("cells, rows, columns, grand", [
    ([[None, 10], [7, 8]], [13, 15], [10, 18], 28),
    ([[None, 40, 12], [6, 30, None]], [55, 38], [9, 70, 14], 93),
    ([[None, 25], [None, 31], [12, 9]], [27, 35, 21], [18, 65], 83),
    ([[0, 17], [None, 22]], [17, 25], [None, 39], 42),
])
def test_perturbed_tables_pin_nothing(cells, rows, columns, grand):
    for max_deviation in (1, 2, 4):
        assert pinnable(cells, rows, columns, grand, k=5, max_deviation=max_deviation) == {}


def test_perturbation_alone_does_not_always_prevent_pinning():
    """A published total below its shown part leaves the hidden cell one
    value: true 1 + 49 = 50, published as "<5" + 50 = 49 with D = 1."""
    assert pinnable([[None, 50]], [49], [None, 50], 49, k=5, max_deviation=1) == {
        (0, 0): 1, (1, 0): 1}


def test_inconsistent_tables_are_refused():
    with pytest.raises(ValueError):
        pinnable([[None, 10]], [40], [None, 10], 40, k=5, max_deviation=1)
    with pytest.raises(ValueError):
        pinnable([[3, 10]], [13], [3, 10], 13, k=5, max_deviation=1)  # 3 is never shown


def brute_force_pinned(cells, rows, columns, grand, k, max_deviation):
    """Every table of true interior counts within its published ranges whose
    lines add up to totals within theirs; the hidden values taking one value."""
    def allowed(published):
        if published is None:
            return range(1, k + max_deviation)
        if published == 0:
            return range(0, 1)
        return range(max(1, published - max_deviation), published + max_deviation + 1)

    n_rows, n_columns = len(cells), len(columns)
    positions = [(i, j) for i in range(n_rows) for j in range(n_columns)]
    published = {**{(i, n_columns): rows[i] for i in range(n_rows)},
                 **{(n_rows, j): columns[j] for j in range(n_columns)},
                 (n_rows, n_columns): grand}
    values: dict = {}
    for choice in itertools.product(*(allowed(cells[i][j]) for i, j in positions)):
        grid = dict(zip(positions, choice, strict=True))
        table = dict(grid)
        for i in range(n_rows):
            table[(i, n_columns)] = sum(grid[(i, j)] for j in range(n_columns))
        for j in range(n_columns):
            table[(n_rows, j)] = sum(grid[(i, j)] for i in range(n_rows))
        table[(n_rows, n_columns)] = sum(choice)
        if all(table[p] in allowed(v) for p, v in published.items()):
            for p, v in table.items():
                values.setdefault(p, set()).add(v)
    hidden = [(i, j) for i, j in positions if cells[i][j] is None]
    hidden += [p for p, v in published.items() if v is None]
    return {p: next(iter(values[p])) for p in hidden if len(values[p]) == 1}


@pytest.mark.parametrize("max_deviation, k", [(1, 3), (2, 3), (0, 4)])
def test_pinnable_agrees_with_brute_force_on_random_published_tables(max_deviation, k):
    table = build_ptable(max_deviation, min(0.6, max_deviation / 2))
    rng = random.Random(max_deviation * 10 + k)
    pinned_somewhere = 0
    for _ in range(120):
        n_rows, n_columns = rng.choice([(1, 2), (2, 2), (2, 3)])
        true = [[rng.choice([0, 1, 2, 3, 5, 8]) for _ in range(n_columns)] for _ in range(n_rows)]
        units = [[random_keys(rng, n) for n in row] for row in true]

        def shown(unit_keys):
            result = publish(len(unit_keys), sum(unit_keys), k, table)
            return result.value

        cells = [[shown(keys) for keys in row] for row in units]
        rows = [shown([key for keys in row for key in keys]) for row in units]
        columns = [shown([key for row in units for key in row[j]]) for j in range(n_columns)]
        grand = shown([key for row in units for keys in row for key in keys])
        found = pinnable(cells, rows, columns, grand, k=k, max_deviation=max_deviation)
        assert found == brute_force_pinned(cells, rows, columns, grand, k, max_deviation)
        pinned_somewhere += bool(found)
    if max_deviation <= 1:
        assert pinned_somewhere  # the comparison covered pinned cells too
