"""An attacker who tries to work out hidden small counts from everything shown.

It reads only what a user gets (the records of ``cli.py kpis --format json``: group,
metric, value, numerator, denominator) and what the Definitioner page publishes (which
counts each metric is made of, how they add up). It writes down every relation a careful
reader would use, fixes every shown number, and asks scipy's HiGHS for the smallest and
largest value of each count that is not shown. A hidden count that lies between 1 and 4
and whose interval stays inside 1..4 has been worked out: that is a leak.

It is written apart from the product's own protection (``metrics/protection.py``): it does
not import it, and builds its relations from the published output alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

OUTCOMES = ("self_sufficient", "sick_compensation", "continued_aid", "unknown")

#: metric -> (numerator count, denominator count), as the Definitioner page states them.
COUNTS: dict[str, tuple[str | None, str | None]] = {
    "participants": ("persons", None),
    "participants_anonymous": ("anonymous", None),
    "participants_ongoing": ("ongoing", None),
    "participants_ended": ("ended", None),
    "share_women": ("women", "gender_known"),
    "share_born_abroad": ("abroad", "abroad_known"),
    "median_months_on_aid": (None, "months_known"),
    "median_days_in_project": (None, "ended"),
    "share_joint_plan": ("plan", "plan_known"),
    "share_with_sip": ("sip", "sip_known"),
    "share_active_start": ("active_start", "both_active"),
    "share_active_end": ("active_end", "both_active"),
    "activity_change_pp": (None, "both_active"),
    "share_step_up": ("step_up", "both_steps"),
    **{f"outcome_{o}": (o, "ended") for o in OUTCOMES},
    "share_exit_work_or_studies": ("work_or_studies", "ended"),
    "period_participants": ("persons", None),
    "period_new": ("new", None),
    "period_ended": ("ended", None),
}
AT_MOST = (
    ("women", "gender_known"),
    ("abroad", "abroad_known"),
    ("plan", "plan_known"),
    ("sip", "sip_known"),
    ("gender_known", "persons"),
    ("abroad_known", "persons"),
    ("plan_known", "persons"),
    ("sip_known", "persons"),
    ("months_known", "persons"),
    ("both_active", "ended"),
    ("active_start", "both_active"),
    ("active_end", "both_active"),
    ("both_steps", "ended"),
    ("step_up", "both_steps"),
    ("work_or_studies", "self_sufficient"),
    ("new", "persons"),
)
GROUP_FIELDS = {"kon": "K", "utrikes_fodd": "Ja"}
#: Half a unit in the last decimal the records give.
ROUNDING = 0.5e-4


@dataclass(frozen=True)
class DetailRow:
    """One row of a detail table a page shows beside the metrics (an outcome route, a
    flow): its shown count (``None`` when hidden), its true count, and the counts of the
    whole selection it is part of (attacker names: "ended", "self_sufficient", ...), as the
    row's own labels tell a reader."""

    shown: int | None
    true: int
    part_of: tuple[str, ...]


@dataclass
class Leak:
    table: tuple[str, ...]
    group: tuple
    count: str
    true_value: int
    interval: tuple[float, float]


@dataclass
class _Model:
    ids: dict[tuple, int] = field(default_factory=dict)
    known: dict[int, float] = field(default_factory=dict)
    equalities: list[dict[int, float]] = field(default_factory=list)
    inequalities: list[dict[int, float]] = field(default_factory=list)

    def var(self, key: tuple) -> int:
        return self.ids.setdefault(key, len(self.ids))

    def band(self, relation: dict[int, float], denominator: int) -> None:
        """``-ROUNDING * den <= relation <= ROUNDING * den``."""
        upper = dict(relation)
        upper[denominator] = upper.get(denominator, 0.0) - ROUNDING
        lower = {v: -a for v, a in relation.items()}
        lower[denominator] = lower.get(denominator, 0.0) - ROUNDING
        self.inequalities += [upper, lower]


def _key(record: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple]:
    group = record["group"]
    table = tuple(sorted(group))
    return table, tuple(group[f] for f in table)


def attack(
    shown: Iterable[Mapping[str, Any]],
    truth: Iterable[Mapping[str, Any]],
    threshold: int = 5,
    details: Mapping[str, Sequence[DetailRow]] | None = None,
) -> list[Leak]:
    """Leaks in ``shown`` (records of one or more views of one data set), together with
    the ``details`` tables shown beside them (name -> rows).

    ``truth`` are the same records computed without protection: the attacker does not use
    them, they only say which hidden counts are small.
    """
    model = _Model()
    detail_truth: dict[tuple, int] = {}
    for name, rows in (details or {}).items():
        members: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            key = (("detail", name), (i,), "count")
            var = model.var(key)
            detail_truth[key] = row.true
            if row.shown is not None:
                model.known[var] = row.shown
            for count in row.part_of:
                members.setdefault(count, []).append(var)
        # The rows of each count add up to that count of the whole selection.
        for count, parts in members.items():
            total = model.var(((), (), count))
            model.equalities.append({total: 1.0, **{p: -1.0 for p in parts}})
    shown = list(shown)
    groups: dict[tuple[str, ...], set[tuple]] = {}
    for record in shown:
        table, key = _key(record)
        groups.setdefault(table, set()).add(key)
        num_name, den_name = COUNTS[record["metric"]]
        num = model.var((table, key, num_name)) if num_name else None
        den = model.var((table, key, den_name)) if den_name else None
        value = record["value"]
        if record["numerator"] is not None and num is not None:
            model.known[num] = record["numerator"]
        if record["denominator"] is not None and den is not None:
            model.known[den] = record["denominator"]
        if den_name is None and value is not None and num is not None:
            model.known[num] = value
        metric = record["metric"]
        # Shown values are rounded (to 4 decimals in the JSON), so each gives a narrow band:
        # |numerator - value * denominator| <= ROUNDING * denominator.
        if value is not None and num is not None and den is not None:
            model.band({num: 1.0, den: -float(value)}, den)
        if metric == "activity_change_pp" and value is not None and den is not None:
            start = model.var((table, key, "active_start"))
            end = model.var((table, key, "active_end"))
            model.band({end: 1.0, start: -1.0, den: -float(value) / 100.0}, den)
    counts_by_group: dict[tuple, set[str]] = {}
    for table, key, count in list(model.ids):
        if table and table[0] == "detail":
            continue
        counts_by_group.setdefault((table, key), set()).add(count)
    for (table, key), counts in counts_by_group.items():
        v = {c: model.var((table, key, c)) for c in counts | {"persons", "ongoing", "ended"}}
        model.equalities.append({v["persons"]: 1.0, v["ongoing"]: -1.0, v["ended"]: -1.0})
        outcome_vars = [model.var((table, key, o)) for o in OUTCOMES]
        model.equalities.append({v["ended"]: 1.0, **{o: -1.0 for o in outcome_vars}})
        for smaller, larger in AT_MOST:
            model.inequalities.append(
                {model.var((table, key, smaller)): 1.0, model.var((table, key, larger)): -1.0}
            )
        for field_name, flag_value in GROUP_FIELDS.items():
            if field_name not in table:
                continue
            group_value = key[table.index(field_name)]
            flag, known = (
                ("women", "gender_known") if field_name == "kon" else ("abroad", "abroad_known")
            )
            persons = model.var((table, key, "persons"))
            for count, holds in (
                (flag, group_value == flag_value),
                (known, group_value is not None),
            ):
                var = model.var((table, key, count))
                model.equalities.append({var: 1.0, persons: -1.0} if holds else {var: 1.0})
    # Additivity: a table is the sum of any table with one more field.
    all_counts = {c for (t, _, c) in model.ids if not (t and t[0] == "detail")}
    for child, keys in groups.items():
        for field_name in child:
            parent = tuple(f for f in child if f != field_name)
            if parent not in groups:
                continue
            by_parent: dict[tuple, list[tuple]] = {}
            for key in keys:
                parent_key = tuple(key[child.index(f)] for f in parent)
                by_parent.setdefault(parent_key, []).append(key)
            for parent_key, children in by_parent.items():
                for count in all_counts:
                    if count == "anonymous" and set(child) - {"insats", "rapportmanad"}:
                        continue
                    top = model.var((parent, parent_key, count))
                    parts = [model.var((child, k, count)) for k in children]
                    model.equalities.append({top: 1.0, **{p: -1.0 for p in parts}})
    true_counts = {**_true_counts(truth), **detail_truth}
    solver = _Solver(model)
    leaks = []
    for (table, key, count), var in list(model.ids.items()):
        if var in model.known:
            continue
        true_value = true_counts.get((table, key, count))
        if true_value is None or not 1 <= true_value < threshold:
            continue
        low, high = solver.interval(var)
        if low >= 1 and high <= threshold - 1:
            leaks.append(Leak(table, key, count, true_value, (low, high)))
    return leaks


def _true_counts(truth: Iterable[Mapping[str, Any]]) -> dict[tuple, int]:
    out = {}
    for record in truth:
        table, key = _key(record)
        num_name, den_name = COUNTS[record["metric"]]
        if num_name and record["numerator"] is not None:
            out[(table, key, num_name)] = record["numerator"]
        if num_name and den_name is None and record["value"] is not None:
            out[(table, key, num_name)] = int(record["value"])
        if den_name and record["denominator"] is not None:
            out[(table, key, den_name)] = record["denominator"]
    return out


class _Solver:
    """The relations with every shown number put in: one LP per hidden count, two ways."""

    def __init__(self, model: _Model) -> None:
        n = len(model.ids)
        self.n = n
        self.a_eq, self.b_eq = self._rows(model, model.equalities)
        self.a_ub, self.b_ub = self._rows(model, model.inequalities)
        self.bounds = [
            (model.known[i], model.known[i]) if i in model.known else (0, None) for i in range(n)
        ]

    def _rows(self, model: _Model, relations: Sequence[dict[int, float]]):
        data: list[float] = []
        row_ids: list[int] = []
        col_ids: list[int] = []
        rhs: list[float] = []
        for relation in relations:
            constant = 0.0
            unknown = {}
            for var, coefficient in relation.items():
                if var in model.known:
                    constant -= coefficient * model.known[var]
                else:
                    unknown[var] = coefficient
            if unknown:
                for var, coefficient in unknown.items():
                    data.append(coefficient)
                    row_ids.append(len(rhs))
                    col_ids.append(var)
                rhs.append(constant)
        if not rhs:
            return None, None
        return csr_matrix((data, (row_ids, col_ids)), shape=(len(rhs), self.n)), np.array(rhs)

    def interval(self, target: int) -> tuple[float, float]:
        objective = np.zeros(self.n)
        objective[target] = 1.0
        kwargs = dict(
            A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq, bounds=self.bounds
        )
        low = linprog(objective, **kwargs)
        high = linprog(-objective, **kwargs)
        assert low.status == 0, low.message
        upper = math.inf if high.status == 3 else -high.fun + 1e-4
        # Shown shares are rounded in floating point; allow a hair of slack.
        return math.ceil(low.fun - 1e-4), math.floor(upper) if upper < math.inf else upper
