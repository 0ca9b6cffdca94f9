"""Cell suppression on linked tables, checked by linear programming.

The counts a view shows are *cells*, tied together by linear relations the reader knows
(a total is the sum of its parts, participants are ongoing plus ended, a numerator is at
most its denominator). Hiding the small cells is not enough: the visible cells and the
relations can pin a hidden one. This module decides which cells to hide so that none of
the sensitive ones can be pinned inside its window (1 to threshold - 1 for a small count).

The method is the one statistical agencies use for linked tables (τ-Argus' "optimal" and
"modular" methods; de Wolf, *Statistical Disclosure Control*, Wiley 2012, ch. 4): an
attacker who knows every visible cell and every relation solves, for each hidden cell,
two linear programs (smallest and largest value consistent with everything shown). When
that interval lies inside the cell's window, another cell is hidden (a *secondary*
suppression), cheapest first: zeros before small counts before large ones, and only a cell
that actually widens the interval. The loop ends when no sensitive cell is pinned. Each
linear program covers only the hidden cells connected to the one examined, so the
programs stay small.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np
from highspy._core import _Highs
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, hstack, vstack

#: A linear relation: cell index -> coefficient. Equalities are ``sum = 0``, inequalities
#: ``sum <= 0``.
Relation = dict[int, float]

_EPSILON = 1e-6


@dataclass
class LinkedCells:
    """Cell values and the relations among them, as a reader of the tables knows them."""

    values: list[int] = field(default_factory=list)
    equalities: list[Relation] = field(default_factory=list)
    inequalities: list[Relation] = field(default_factory=list)

    def add(self, value: int) -> int:
        self.values.append(int(value))
        return len(self.values) - 1

    def equal(self, terms: Relation) -> None:
        """``sum(coefficient * cell) = 0``."""
        if terms:
            self.equalities.append(terms)

    def at_most(self, smaller: int, larger: int) -> None:
        """``smaller <= larger``."""
        self.inequalities.append({smaller: 1.0, larger: -1.0})


@dataclass(frozen=True)
class Protection:
    """Which cells are hidden, and why."""

    primary: frozenset[int]
    secondary: frozenset[int]
    #: Sensitive cells that could not be protected (should be empty; tests assert it).
    unprotected: frozenset[int] = frozenset()

    @property
    def hidden(self) -> frozenset[int]:
        return self.primary | self.secondary


class ProtectionTooCostly(Exception):
    """Protecting the cells would take more linear programs than the budget allows."""

    def __init__(self, budget: int) -> None:
        super().__init__(f"more than {budget} linear programs")
        self.budget = budget


def intervals(
    cells: LinkedCells, hidden: Iterable[int], wanted: Iterable[int] | None = None
) -> dict[int, tuple[float, float]]:
    """Smallest and largest value of each wanted hidden cell, given everything else shown.

    Hidden cells are non-negative unknowns; visible cells are known exactly. The interval
    is that of the linear relaxation, rounded inwards to whole numbers (counts are whole).
    """
    hidden_set = set(hidden)
    wanted_set = hidden_set if wanted is None else set(wanted) & hidden_set
    system = _System(cells, hidden_set)
    return {cell: system.interval(cell) for cell in sorted(wanted_set)}


#: Each sensitive cell's windows: the ranges it must not be pinned within.
Windows = Mapping[int, Sequence[tuple[int, int]]]


def exposed(
    cells: LinkedCells, hidden: Iterable[int], windows: Windows
) -> dict[int, tuple[float, float]]:
    """Sensitive hidden cells whose interval lies inside one of their windows."""
    return {
        cell: interval
        for cell, interval in intervals(cells, hidden, windows).items()
        if _inside(interval, windows[cell])
    }


def protect(
    cells: LinkedCells,
    windows: Windows,
    *,
    frozen: Iterable[int] = (),
    already_hidden: Iterable[int] = (),
    batches: Sequence[Sequence[int]] = (),
    budget: int | None = None,
) -> Protection:
    """Hide the sensitive cells and as few others as needed so that none can be pinned.

    For each sensitive cell and window, a small linear program looks for the cheapest way
    to change the hidden cells that keeps every relation and takes the cell out of its
    window (to the value below it, usually 0, or else just above it): the cells that change
    are hidden. That change then stays possible for the attacker, so the cell's interval
    reaches outside its window whatever else is hidden. Cost per unit of change is 1 + the
    cell's value (zeros and small cells first) and nothing for a cell already hidden.

    ``windows`` maps each sensitive cell to the ranges it must not be pinned within.
    Cells in ``frozen`` keep their state (tables protected before, which other views show
    as they are); ``already_hidden`` start hidden. Each of ``batches`` (the cells of one
    group) is first tried as one change taking all its small cells to 0 together.
    With a ``budget``, more linear programs than that raise ``ProtectionTooCostly``.
    """
    primary = set(windows) | set(already_hidden)
    hidden = set(primary)
    unprotected: set[int] = set()
    if windows:
        program = _ChangeProgram(cells, {c for c in frozen if c not in hidden}, budget)
        values = cells.values
        # Every change found stays possible (it moves only cells that are hidden from then
        # on), so it frees each cell it moves out of a window without another program.
        moved: dict[int, list[float]] = {}

        def keep(change: dict[int, float]) -> None:
            hidden.update(change)
            for c, delta in change.items():
                moved.setdefault(c, []).append(values[c] + delta)

        def freed(cell: int, low: int, high: int) -> bool:
            return any(
                v <= low - 1 + _EPSILON or v >= high + 1 - _EPSILON for v in moved.get(cell, ())
            )

        # A small group (say an age group of 3) has many small counts: one change that
        # empties them all at once frees each of them, for one program instead of many.
        for batch in batches:
            small = [c for c in batch if c in windows and any(lo == 1 for lo, _ in windows[c])]
            if len(small) < 2:
                continue
            found = program.cheapest(dict.fromkeys(small, 0), hidden)
            if found is not None:
                keep(found[1])
        for cell in sorted(windows, key=lambda c: (values[c], c)):
            for low, high in windows[cell]:
                if freed(cell, low, high):
                    continue
                best = None
                for target in (low - 1, high + 1):
                    if target < 0:
                        continue
                    found = program.cheapest({cell: target}, hidden)
                    if found is not None and (best is None or found[0] < best[0]):
                        best = found
                    if best is not None and best[0] <= _EPSILON:
                        break  # already free through what is hidden
                if best is None:
                    unprotected.add(cell)
                else:
                    keep(best[1])
    return Protection(
        primary=frozenset(primary),
        secondary=frozenset(hidden - primary),
        unprotected=frozenset(unprotected),
    )


def _inside(interval: tuple[float, float], windows: Sequence[tuple[int, int]]) -> bool:
    return any(interval[0] >= low and interval[1] <= high for low, high in windows)


def _relations_matrix(relations: Sequence[Relation], n: int) -> csr_matrix:
    data, rows, cols = [], [], []
    for r, relation in enumerate(relations):
        for c, a in relation.items():
            data.append(a)
            rows.append(r)
            cols.append(c)
    return csr_matrix((data, (rows, cols)), shape=(len(relations), n))


class _ChangeProgram:
    """The linear program of a change to the cells, built once and re-solved per cell.

    Variables are the increase and the decrease of every cell (both >= 0); a decrease is
    at most the cell's value, a frozen visible cell does not change, every relation holds
    after the change. HiGHS keeps the model between solves, so each cell costs only a
    warm-started re-solve with changed bounds and costs.
    """

    def __init__(
        self, cells: LinkedCells, frozen_visible: set[int], budget: int | None = None
    ) -> None:
        self.budget = budget
        self.solved = 0
        self.values = np.asarray(cells.values, dtype=float)
        n = self.n = len(self.values)
        a_eq = _relations_matrix(cells.equalities, n)
        a_ub = _relations_matrix(cells.inequalities, n)
        matrix = vstack([hstack([a_eq, -a_eq]), hstack([a_ub, -a_ub])]).tocsc()
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_ = 2 * n
        lp.num_row_ = matrix.shape[0]
        self.lower = np.zeros(2 * n)
        self.upper = np.concatenate([np.full(n, inf), self.values])
        for c in frozen_visible:
            self.upper[c] = 0.0
            self.upper[n + c] = 0.0
        lp.col_cost_ = np.concatenate([1.0 + self.values, 1.0 + self.values])
        lp.col_lower_ = self.lower
        lp.col_upper_ = self.upper
        lp.row_lower_ = np.concatenate([np.zeros(a_eq.shape[0]), np.full(a_ub.shape[0], -inf)])
        lp.row_upper_ = np.concatenate([np.zeros(a_eq.shape[0]), -(a_ub @ self.values)])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        # The plain solver: the callback-enabled ``Highs`` prints a banner on stdout, which
        # would end up in ``cli.py kpis --format json``.
        self.highs = _Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.passModel(lp)
        self.free: set[int] = set()

    def cheapest(
        self, targets: dict[int, int], hidden: set[int]
    ) -> tuple[float, dict[int, float]] | None:
        """The cost and the change (cell -> amount) of the cheapest change taking each cell
        to its target."""
        n, highs = self.n, self.highs
        newly_free = np.fromiter(hidden - self.free, dtype=np.int32)
        if newly_free.size:
            both = np.concatenate([newly_free, newly_free + n])
            highs.changeColsCost(both.size, both, np.zeros(both.size))
            self.free |= set(newly_free.tolist())
        cells = np.fromiter(targets, dtype=np.int32, count=len(targets))
        delta = np.fromiter(targets.values(), dtype=float, count=len(targets)) - self.values[cells]
        up, down = np.maximum(delta, 0.0), np.maximum(-delta, 0.0)
        if (up > self.upper[cells]).any() or (down > self.upper[n + cells]).any():
            return None  # a frozen or too small cell cannot move there
        if self.budget is not None and self.solved >= self.budget:
            raise ProtectionTooCostly(self.budget)
        self.solved += 1
        columns = np.concatenate([cells, cells + n])
        fixed = np.concatenate([up, down])
        highs.changeColsBounds(columns.size, columns, fixed, fixed)
        highs.run()
        optimal = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        solution = np.asarray(highs.getSolution().col_value) if optimal else None
        cost = highs.getInfo().objective_function_value if optimal else 0.0
        highs.changeColsBounds(columns.size, columns, self.lower[columns], self.upper[columns])
        if solution is None:
            return None
        change = solution[:n] - solution[n:]
        moved = np.flatnonzero(np.abs(change) > _EPSILON)
        return cost, dict(zip(moved.tolist(), change[moved].tolist(), strict=True))


class _System:
    """The attacker's view: relations rewritten over hidden cells, split in components."""

    def __init__(self, cells: LinkedCells, hidden: set[int]) -> None:
        self.cells = cells
        self.hidden = hidden
        values = cells.values
        parent: dict[int, int] = {c: c for c in hidden}

        def find(c: int) -> int:
            while parent[c] != c:
                parent[c] = parent[parent[c]]
                c = parent[c]
            return c

        self.rows: list[tuple[dict[int, float], float, bool]] = []
        for relations, is_equality in ((cells.equalities, True), (cells.inequalities, False)):
            for relation in relations:
                unknown = {c: a for c, a in relation.items() if c in hidden}
                if not unknown:
                    continue
                constant = -sum(a * values[c] for c, a in relation.items() if c not in hidden)
                self.rows.append((unknown, constant, is_equality))
                first, *rest = unknown
                for other in rest:
                    root_a, root_b = find(first), find(other)
                    if root_a != root_b:
                        parent[root_a] = root_b
        self._find = find
        self._cache: dict[int, tuple[float, float]] = {}
        self._members: dict[int, list[int]] = {}
        for c in hidden:
            self._members.setdefault(find(c), []).append(c)

    def component_of(self, cell: int) -> set[int]:
        return set(self._members[self._find(cell)])

    def interval(self, cell: int) -> tuple[float, float]:
        if cell in self._cache:
            return self._cache[cell]
        members = sorted(self._members[self._find(cell)])
        index = {c: i for i, c in enumerate(members)}
        rows = [r for r in self.rows if next(iter(r[0])) in index]
        eq_rows = [r for r in rows if r[2]]
        ub_rows = [r for r in rows if not r[2]]
        a_eq, b_eq = _matrix(eq_rows, index)
        a_ub, b_ub = _matrix(ub_rows, index)
        objective = np.zeros(len(members))
        objective[index[cell]] = 1.0
        bounds = (0, None)
        low = _solve(objective, a_ub, b_ub, a_eq, b_eq, bounds)
        high = _solve(-objective, a_ub, b_ub, a_eq, b_eq, bounds)
        result = (
            math.ceil(low - _EPSILON) if low is not None else 0.0,
            math.floor(-high + _EPSILON) if high is not None else math.inf,
        )
        self._cache[cell] = result
        return result


def _matrix(rows, index: dict[int, int]) -> tuple[csr_matrix | None, np.ndarray | None]:
    if not rows:
        return None, None
    data, row_ids, col_ids, rhs = [], [], [], []
    for r, (terms, constant, _) in enumerate(rows):
        for c, a in terms.items():
            data.append(a)
            row_ids.append(r)
            col_ids.append(index[c])
        rhs.append(constant)
    shape = (len(rows), len(index))
    return csr_matrix((data, (row_ids, col_ids)), shape=shape), np.asarray(rhs, dtype=float)


def _solve(objective, a_ub, b_ub, a_eq, b_eq, bounds) -> float | None:
    """Optimum of one small LP; ``None`` when unbounded (so: no limit that way)."""
    result = linprog(
        objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs"
    )
    if result.status == 3:  # unbounded
        return None
    if result.status != 0:
        raise RuntimeError(f"Röjandeskyddets beräkning misslyckades: {result.message}")
    assert result.fun is not None, "an optimal solution has an objective value"
    return float(result.fun)
