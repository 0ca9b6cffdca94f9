"""Goals as TOML: read, check, write back; a faulty file is refused whole."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from access.roles import system_user
from goals.service import export_goals, import_goals, list_goals
from goals.toml_io import GoalDefinitionError, goals_to_toml, parse_goals
from store import Store

GOOD = """
[[goal]]
id = "plan"
project = "SAMRE"
period = "Huvudmål"
title = "Alla deltagare får en gemensam planering"
metric = "share_joint_plan"
direction = "higher"
target = 1.0
yellow = 0.9

[[goal]]
id = "arbete"
project = "SAMRE"
period = "Delmål 2018"
title = "30 % till arbete eller studier"
metric = "share_exit_work_or_studies"
direction = "higher"
target = 0.3
yellow = 0.2
removed = 2019-02-14
decision = "Styrelsen strök målet i februari 2019."

[[goal]]
id = "avtal"
project = "SAMRE"
period = "Delmål 2018"
title = "En skriftlig lokal överenskommelse är undertecknad"
kind = "manual"
status = "green"
assessed = 2018-06-12
comment = "Undertecknad av alla parter."

[[goal]]
id = "kon"
project = "SAMS"
period = "Huvudmål"
title = "Jämn könsfördelning i Upplands Väsby"
metric = "share_women"
direction = "within"
target = [0.4, 0.6]
yellow = [0.35, 0.65]
kommun = "upplands-väsby"

[[goal]]
id = "tid"
project = "SAMS"
period = "Huvudmål"
title = "Kort tid i insatsen"
metric = "median_days_in_project"
direction = "lower"
target = 183
yellow = 240
kon = ["K", "M"]
"""


def refusal(text: str) -> list[str]:
    with pytest.raises(GoalDefinitionError) as caught:
        parse_goals(text)
    return caught.value.messages


def one_goal(**keys: object) -> str:
    base = {
        "id": "g1",
        "project": "SAMRE",
        "period": "Huvudmål",
        "title": "Mål",
        "metric": "share_joint_plan",
        "direction": "higher",
        "target": 1.0,
        "yellow": 0.9,
    }
    base.update(keys)
    lines = ["[[goal]]"]
    for key, value in base.items():
        if value is None:
            continue
        if isinstance(value, str) and not value.startswith("["):
            lines.append(f'{key} = "{value}"')
        else:
            lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


def test_a_valid_file_gives_every_kind_of_goal() -> None:
    goals = {g.id: g for g in parse_goals(GOOD)}
    assert goals["plan"].kind == "measured" and goals["plan"].target == 1.0
    assert goals["arbete"].removed == date(2019, 2, 14)
    assert goals["avtal"].kind == "manual" and goals["avtal"].status == "green"
    assert goals["kon"].target == (0.4, 0.6)
    assert goals["kon"].filters == {"kommun": ("Upplands Väsby",)}
    assert goals["tid"].filters == {"kon": ("K", "M")}


def test_written_toml_reads_back_to_the_same_goals() -> None:
    goals = parse_goals(GOOD)
    assert parse_goals(goals_to_toml(goals)) == goals


def test_import_export_import_through_the_store_gives_the_same_goals(
    tmp_path: Path, sqlite_url: str
) -> None:
    source = tmp_path / "mal.toml"
    source.write_text(GOOD, encoding="utf-8")
    first = Store(sqlite_url)
    assert import_goals(first, source, system_user("anna")) == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
    }
    exported = tmp_path / "export.toml"
    exported.write_text(export_goals(first), encoding="utf-8")

    second = Store(f"sqlite:///{tmp_path / 'second.db'}")
    import_goals(second, exported, system_user("anna"))
    assert list_goals(second) == list_goals(first) == parse_goals(GOOD)
    # Importing the same goals again changes nothing.
    assert import_goals(first, exported, system_user("anna"))["unchanged"] == 5


def test_a_period_metric_is_refused_as_a_monthly_goal() -> None:
    (message,) = refusal(one_goal(metric="period_new"))
    assert "'period_new' gäller en period" in message


def test_unknown_metric_is_refused_by_name() -> None:
    (message,) = refusal(one_goal(metric="share_happy"))
    assert "okänt mått 'share_happy'" in message
    assert "g1" in message


@pytest.mark.parametrize(
    ("direction", "target", "yellow"),
    [("higher", 0.5, 0.6), ("lower", 183, 150), ("within", "[0.4, 0.6]", "[0.45, 0.65]")],
)
def test_yellow_beyond_the_target_is_refused(
    direction: str, target: object, yellow: object
) -> None:
    metric = "median_days_in_project" if direction == "lower" else "share_women"
    (message,) = refusal(one_goal(metric=metric, direction=direction, target=target, yellow=yellow))
    assert "bortom" in message


def test_a_band_upside_down_is_refused() -> None:
    (message,) = refusal(
        one_goal(metric="share_women", direction="within", target="[0.6, 0.4]", yellow="[0.3, 0.7]")
    )
    assert "uppochnedvänt" in message


def test_missing_keys_bad_dates_and_unknown_municipalities_are_named() -> None:
    messages = refusal(
        one_goal(title=None, yellow=None)
        + one_goal(id="g2", removed="2019-13-01", decision="Strukits")
        + one_goal(id="g3", kommun="Solentuna")
    )
    assert len(messages) == 3  # one message per faulty goal
    assert "saknar title" in messages[0] and "yellow" in messages[0]
    assert "inget giltigt datum" in messages[1]
    assert "menade du Sollentuna" in messages[2]


def test_shares_written_as_percent_are_refused() -> None:
    (message,) = refusal(one_goal(target=100, yellow=90))
    assert "decimaltal" in message


def test_one_faulty_goal_refuses_the_whole_file(tmp_path: Path, sqlite_url: str) -> None:
    source = tmp_path / "mal.toml"
    source.write_text(GOOD + one_goal(id="trasig", metric="okand"), encoding="utf-8")
    store = Store(sqlite_url)
    with pytest.raises(GoalDefinitionError) as caught:
        import_goals(store, source, system_user("anna"))
    assert len(caught.value.messages) == 1
    assert list_goals(store) == []


def test_duplicate_ids_and_removal_without_decision_are_refused() -> None:
    messages = refusal(one_goal() + one_goal() + one_goal(id="g3", removed="2019-02-01"))
    assert "samma id" in messages[0]
    assert "beslutet" in messages[1]
