"""Goals as a TOML file: one ``[[goal]]`` table per goal, so a förbund can version them.

Reading checks every definition and refuses the file whole when any is wrong, with one
Swedish message per faulty goal naming all its problems. Writing gives the same shape back,
so import -> export -> import gives the same goals.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import tomli_w

from goals.model import DIRECTIONS, FILTER_FIELDS, KINDS, MANUAL_STATUSES, Goal, Threshold
from ingest.municipalities import resolve
from ingest.schema import FIELDS_BY_NAME
from metrics.catalogue import CATALOGUE
from metrics.costs import is_cost_metric, is_known_metric

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$")
_REQUIRED = ("id", "project", "title", "period")
_MEASURED_KEYS = ("metric", "direction", "target", "yellow")
_MANUAL_KEYS = ("status", "assessed")
_KNOWN_KEYS = frozenset(
    {*_REQUIRED, "kind", "description", *_MEASURED_KEYS, *_MANUAL_KEYS, "comment"}
    | {"removed", "decision"}
    | set(FILTER_FIELDS)
)
#: Key order in a written file: what a reader looks for first comes first.
_KEY_ORDER = (
    "id",
    "project",
    "period",
    "title",
    "description",
    "kind",
    "metric",
    "direction",
    "target",
    "yellow",
    *FILTER_FIELDS,
    "status",
    "assessed",
    "comment",
    "removed",
    "decision",
)
_YES_NO = ("Ja", "Nej")


class GoalDefinitionError(ValueError):
    """A goal file or form was refused; ``messages`` has one Swedish line per faulty goal."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def read_goals(path: Path | str) -> list[Goal]:
    """The goals of a TOML file, all checked; raises ``GoalDefinitionError`` otherwise."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GoalDefinitionError([f"Filen {path.name} kunde inte läsas: {exc}"]) from None
    return parse_goals(text, source=path.name)


def parse_goals(text: str, source: str = "målfilen") -> list[Goal]:
    """Parse and check TOML text; all goals or none."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GoalDefinitionError([f"{source} är ingen giltig TOML: {exc}"]) from None
    extra = sorted(set(document) - {"goal"})
    if extra:
        raise GoalDefinitionError(
            [f"{source}: okända nycklar på översta nivån: {', '.join(extra)} (väntade [[goal]])."]
        )
    tables = document.get("goal", [])
    if not isinstance(tables, list) or not tables:
        raise GoalDefinitionError([f"{source} innehåller inga mål ([[goal]]-tabeller)."])
    return check_goals(tables)


def check_goals(tables: Iterable[Mapping[str, Any]]) -> list[Goal]:
    """Build goals from raw mappings; refuse all of them if any is wrong."""
    goals: list[Goal] = []
    messages: list[str] = []
    seen: set[str] = set()
    for number, table in enumerate(tables, start=1):
        goal, problems = goal_from_mapping(table)
        goal_id = table.get("id")
        if isinstance(goal_id, str) and goal_id in seen:
            problems.append("samma id finns redan tidigare i filen")
        if isinstance(goal_id, str):
            seen.add(goal_id)
        if problems:
            name = f"id '{goal_id}'" if isinstance(goal_id, str) and goal_id else "utan id"
            messages.append(f"Mål {number} ({name}): {'; '.join(problems)}.")
        elif goal is not None:
            goals.append(goal)
    if messages:
        raise GoalDefinitionError(messages)
    return goals


def goal_from_mapping(data: Mapping[str, Any]) -> tuple[Goal | None, list[str]]:
    """One goal from its keys, or the list of what is wrong with them (in Swedish)."""
    problems: list[str] = []
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        problems.append(f"okända nycklar: {', '.join(unknown)}")
    missing = [key for key in _REQUIRED if not _text(data.get(key))]
    if missing:
        problems.append(f"saknar {', '.join(missing)}")
    goal_id = _text(data.get("id"))
    if goal_id and not _ID.match(goal_id):
        problems.append(f"id '{goal_id}' får bara ha bokstäver a-z, siffror, - _ och .")

    kind = data.get("kind") or ("manual" if "metric" not in data else "measured")
    if kind not in KINDS:
        problems.append(f"okänd typ '{kind}' (välj measured eller manual)")
    metric = data.get("metric")
    direction = data.get("direction")
    target: Threshold | None = None
    yellow: Threshold | None = None
    status = data.get("status")
    if kind == "measured":
        stray = [key for key in _MANUAL_KEYS if key in data]
        if stray:
            problems.append(f"{', '.join(stray)} hör bara till manuellt bedömda mål")
        absent = [key for key in _MEASURED_KEYS if data.get(key) is None]
        if absent:
            problems.append(f"saknar {', '.join(absent)} för ett mätbart mål")
        if metric is not None and not is_known_metric(metric):
            problems.append(f"okänt mått '{metric}'")
        elif metric in CATALOGUE and CATALOGUE[metric].period:
            problems.append(
                f"måttet '{metric}' gäller en period och kan inte följas månad för månad; "
                "välj ett mått för läget vid rapportmånaden"
            )
        if direction is not None and direction not in DIRECTIONS:
            problems.append(f"okänd riktning '{direction}' (välj higher, lower eller within)")
        if not absent and direction in DIRECTIONS:
            target, yellow = _thresholds(direction, data["target"], data["yellow"], problems)
            if metric in CATALOGUE and CATALOGUE[metric].kind == "share":
                _check_shares(target, yellow, problems)
    elif kind == "manual":
        stray = [key for key in _MEASURED_KEYS if key in data]
        if stray:
            problems.append(f"{', '.join(stray)} hör bara till mätbara mål")
        status = status or "grey"
        if status not in MANUAL_STATUSES:
            problems.append(f"okänd status '{status}' (välj green, yellow, red eller grey)")
        elif status != "grey" and data.get("assessed") is None:
            problems.append("en bedömning behöver ett datum (assessed)")

    assessed = _date(data, "assessed", problems)
    removed = _date(data, "removed", problems)
    decision = _text(data.get("decision"))
    if removed is not None and not decision:
        problems.append("ett borttaget mål behöver beslutet (decision)")
    if decision and removed is None and "removed" not in data:
        problems.append("ett beslut (decision) behöver datumet då målet togs bort (removed)")
    filters = _filters(data, problems)
    if kind == "measured" and is_cost_metric(metric) and filters:
        problems.append(
            f"{metric} gäller hela insatsen (budgeten är insatsens): ta bort filtren "
            f"{', '.join(filters)}"
        )
    for key in ("title", "period", "project", "description", "comment", "decision"):
        if key in data and not isinstance(data[key], str):
            problems.append(f"{key} ska vara text")
    if problems:
        return None, problems
    goal = Goal(
        id=goal_id,
        project=_text(data["project"]),
        title=_text(data["title"]),
        period=_text(data["period"]),
        kind=kind,
        description=_text(data.get("description")),
        metric=metric if kind == "measured" else None,
        direction=direction if kind == "measured" else None,
        target=target,
        yellow=yellow,
        filters=filters,
        status=status if kind == "manual" else None,
        comment=_text(data.get("comment")),
        assessed=assessed,
        removed=removed,
        decision=decision,
    )
    return goal, []


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _thresholds(
    direction: str, target: Any, yellow: Any, problems: list[str]
) -> tuple[Threshold | None, Threshold | None]:
    if direction in ("higher", "lower"):
        if not (_number(target) and _number(yellow)):
            problems.append("target och yellow ska vara tal för higher och lower")
            return None, None
        if direction == "higher" and yellow > target:
            problems.append(
                f"gul gräns {yellow} ligger bortom målvärdet {target}: när högre är bättre "
                "får den gula gränsen vara högst målvärdet"
            )
        if direction == "lower" and yellow < target:
            problems.append(
                f"gul gräns {yellow} ligger bortom målvärdet {target}: när lägre är bättre "
                "får den gula gränsen vara minst målvärdet"
            )
        return target, yellow
    bands: list[tuple[float, float] | None] = []
    for key, value in (("target", target), ("yellow", yellow)):
        if not (isinstance(value, list) and len(value) == 2 and all(map(_number, value))):
            problems.append(f"{key} ska vara ett intervall [lägst, högst] för within")
            bands.append(None)
            continue
        low, high = value
        if low > high:
            problems.append(f"intervallet {key} = [{low}, {high}] är uppochnedvänt")
        bands.append((low, high))
    green, wide = bands
    if green is not None and wide is not None and not (wide[0] <= green[0] and green[1] <= wide[1]):
        problems.append(
            f"gult intervall [{wide[0]}, {wide[1]}] ligger bortom målintervallet "
            f"[{green[0]}, {green[1]}]: det gula ska omsluta det gröna"
        )
    return green, wide


def _check_shares(target: Threshold | None, yellow: Threshold | None, problems: list[str]) -> None:
    values: list[float] = []
    for threshold in (target, yellow):
        if isinstance(threshold, tuple):
            values.extend(threshold)
        elif threshold is not None:
            values.append(threshold)
    if any(not 0 <= v <= 1 for v in values):
        problems.append("andelar anges som decimaltal mellan 0 och 1 (0.3 betyder 30 %)")


def _date(data: Mapping[str, Any], key: str, problems: list[str]) -> date | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.append(f"{key} = '{value}' är inget giltigt datum (ange ÅÅÅÅ-MM-DD)")
    return None


def _filters(data: Mapping[str, Any], problems: list[str]) -> dict[str, tuple[str, ...]]:
    filters: dict[str, tuple[str, ...]] = {}
    for header in FILTER_FIELDS:
        if header not in data:
            continue
        raw = data[header]
        values = [raw] if isinstance(raw, str) else raw
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) for v in values)
        ):
            problems.append(f"{header} ska vara en text eller en lista med texter")
            continue
        checked = [_filter_value(header, v.strip(), problems) for v in values]
        if all(v is not None for v in checked):
            filters[header] = tuple(v for v in checked if v is not None)
    return filters


def _allowed_values(header: str) -> tuple[str, ...]:
    """The values a filter takes: a coded field's codes, Ja/Nej for a yes/no field; names
    (insats, stadsdel) are free text."""
    field = FIELDS_BY_NAME[FILTER_FIELDS[header]]
    return _YES_NO if field.kind == "yesno" else field.codes


def _filter_value(header: str, value: str, problems: list[str]) -> str | None:
    if header == "kommun":
        match = resolve(value)
        if match.municipality is not None:
            return match.municipality.name
        hint = f" (menade du {match.suggestion}?)" if match.suggestion else ""
        problems.append(f"okänd kommun '{value}'{hint}")
        return None
    allowed = _allowed_values(header)
    if allowed and value not in allowed:
        problems.append(f"{header} = '{value}' är inget giltigt värde ({', '.join(allowed)})")
        return None
    return value


def goal_to_mapping(goal: Goal) -> dict[str, Any]:
    """The TOML keys of one goal, empty ones left out."""
    values: dict[str, Any] = {
        "id": goal.id,
        "project": goal.project,
        "period": goal.period,
        "title": goal.title,
        "description": goal.description,
        "kind": goal.kind,
        "metric": goal.metric,
        "direction": goal.direction,
        "target": list(goal.target) if isinstance(goal.target, tuple) else goal.target,
        "yellow": list(goal.yellow) if isinstance(goal.yellow, tuple) else goal.yellow,
        "status": goal.status,
        "assessed": goal.assessed,
        "comment": goal.comment,
        "removed": goal.removed,
        "decision": goal.decision,
    }
    for header, chosen in goal.filters.items():
        values[header] = chosen[0] if len(chosen) == 1 else list(chosen)
    return {key: values[key] for key in _KEY_ORDER if values.get(key) not in (None, "")}


def goals_to_toml(goals: Iterable[Goal]) -> str:
    """A TOML document with one ``[[goal]]`` table per goal."""
    header = "# Mål i trafikljusmodellen, ett [[goal]] per mål. Se README: Mål som fil.\n\n"
    return header + tomli_w.dumps({"goal": [goal_to_mapping(g) for g in goals]})
