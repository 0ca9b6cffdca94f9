"""Goals in the store: monthly history kept, edits logged, the command line's contract."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import cli
from access.roles import system_user
from goals.model import Goal
from goals.records import GoalStatus
from goals.service import (
    create_goal,
    edit_goal,
    goal_changes,
    goal_history,
    goal_statuses,
    goals_summary,
    load_demo_goals,
    remove_goal,
    set_manual_status,
)
from goals.toml_io import GoalDefinitionError
from ingest import schema
from metrics.protection import SUPPRESSION_THRESHOLD
from store import Store

PLAN = Goal(
    id="plan",
    project="SAMRE",
    title="Alla deltagare får en gemensam planering",
    period="Huvudmål",
    metric="share_joint_plan",
    direction="higher",
    target=1.0,
    yellow=0.9,
)


def snapshot(with_plan: int, without_plan: int, project: str = "SAMRE") -> pl.DataFrame:
    rows = [
        {
            "case_id": f"D{i:03d}",
            "project": project,
            "municipality": "Sollentuna" if i % 2 else "Sigtuna",
            "municipality_code": "0163" if i % 2 else "0191",
            "gender": "K",
            "start_date": date(2019, 1, 1),
            "joint_plan": i < with_plan,
            "anonymous": False,
        }
        for i in range(with_plan + without_plan)
    ]
    blank = dict.fromkeys(schema.CASE_COLUMNS)
    return pl.DataFrame([{**blank, **r} for r in rows], schema=schema.CASE_DTYPES)


def save(store: Store, month: str, frame: pl.DataFrame) -> None:
    store.save_snapshots(
        file_name=f"export_{month}.csv",
        sha256=f"sha-{month}-{frame.height}",
        report_month=month,
        cases=frame,
        imported_by="anna",
        replace=False,
    )


@pytest.fixture
def store(database_url: str):
    opened = Store(database_url)
    yield opened
    opened.close()


def statuses_by_id(
    store: Store, month: str | None = None, *, suppress: int = SUPPRESSION_THRESHOLD
) -> dict[str, GoalStatus]:
    return {r.id: r for r in goal_statuses(store, month=month, suppress=suppress)}


def test_each_month_is_judged_on_its_own_snapshot(store: Store) -> None:
    save(store, "2019-01", snapshot(10, 0))
    save(store, "2019-02", snapshot(9, 1))
    save(store, "2019-03", snapshot(8, 2))
    create_goal(store, PLAN, system_user("anna"))
    history = [(h.month, h.status) for h in goal_history(store)["plan"]]
    assert history == [("2019-01", "green"), ("2019-02", "yellow"), ("2019-03", "red")]
    now = statuses_by_id(store)["plan"]
    assert (now.month, now.status, now.label) == ("2019-03", "red", "Ej uppfyllt")
    assert (now.numerator, now.denominator) == (8, 10)


def test_editing_a_target_is_logged_and_does_not_rewrite_past_months(store: Store) -> None:
    save(store, "2019-01", snapshot(10, 0))
    save(store, "2019-02", snapshot(9, 1))
    create_goal(store, PLAN, system_user("anna"))
    before = goal_history(store)["plan"]
    assert [h.status for h in before] == ["green", "yellow"]

    edit_goal(store, replace(PLAN, target=0.85, yellow=0.8), system_user("bertil"))
    save(store, "2019-03", snapshot(9, 1))

    after = goal_history(store)["plan"]
    assert after[:2] == before  # the months judged before the edit keep their status
    assert (after[2].month, after[2].status) == ("2019-03", "green")
    assert statuses_by_id(store)["plan"].status == "green"  # now: the new target
    assert statuses_by_id(store, month="2019-02")["plan"].status == "yellow"

    logged = {c["field"]: c for c in goal_changes(store, "plan")}
    assert (logged["target"]["old"], logged["target"]["new"]) == ("1.0", "0.85")
    assert logged["target"]["actor"] == "bertil" and logged["target"]["at"] is not None
    audit = [e for e in store.audit_entries() if e["target"] == "goal plan"]
    assert [e["action"] for e in audit] == ["goal_edit", "goal_create"]
    assert ["target", "1.0", "0.85"] in audit[0]["detail"]["changes"]


def test_goal_without_data_is_grey(store: Store) -> None:
    save(store, "2019-01", snapshot(3, 0, project="Annan"))
    create_goal(store, PLAN, system_user("anna"))  # SAMRE has no snapshot at all
    record = statuses_by_id(store)["plan"]
    assert (record.status, record.label, record.value) == ("grey", "Ej bedömt", None)


def test_filter_narrows_the_cases_a_goal_is_judged_on(store: Store) -> None:
    # Odd case numbers live in Sollentuna; with 6 of 10 planned, Sollentuna has 3 of 5.
    save(store, "2019-01", snapshot(6, 4))
    create_goal(
        store, replace(PLAN, id="sollentuna", filters={"kommun": ("Sollentuna",)}), system_user("a")
    )
    record = statuses_by_id(store, suppress=0)["sollentuna"]
    assert (record.numerator, record.denominator) == (3, 5)
    assert record.filter == {"kommun": ["Sollentuna"]}


def test_small_counts_are_hidden_in_the_status(store: Store) -> None:
    save(store, "2019-01", snapshot(3, 7))
    create_goal(store, PLAN, system_user("anna"))
    record = statuses_by_id(store)["plan"]
    assert record.suppressed is True
    assert record.value is None and record.numerator is None
    assert record.status == "red"  # the colour is still shown, with "<5"


def test_manual_status_and_removal_with_decision(store: Store) -> None:
    save(store, "2019-01", snapshot(10, 0))
    manual = Goal(id="avtal", project="SAMRE", title="Avtal", period="Delmål", kind="manual")
    create_goal(store, manual, system_user("anna"))
    create_goal(store, PLAN, system_user("anna"))
    assert statuses_by_id(store)["avtal"].status == "grey"

    set_manual_status(
        store, "avtal", "green", "Undertecknat", date(2019, 1, 20), system_user("anna")
    )
    remove_goal(store, "plan", date(2019, 2, 14), "Styrelsen strök målet.", system_user("anna"))
    records = statuses_by_id(store)
    assert (records["avtal"].status, records["avtal"].comment) == ("green", "Undertecknat")
    assert records["plan"].status == "removed" and records["plan"].label == "Utgått"
    assert records["plan"].decision == "Styrelsen strök målet."
    with pytest.raises(GoalDefinitionError):
        set_manual_status(store, "plan", "green", "", date(2019, 1, 1), system_user("anna"))


def test_summary_counts_colours_and_names_the_red_ones(store: Store) -> None:
    save(store, "2019-01", snapshot(8, 2))
    create_goal(store, PLAN, system_user("anna"))
    create_goal(store, replace(PLAN, id="lagre", target=0.8, yellow=0.7), system_user("anna"))
    summary = goals_summary(store)
    assert summary.total == 2
    assert summary.counts["red"] == 1 and summary.counts["green"] == 1
    assert [r.title for r in summary.red] == [PLAN.title]


@pytest.mark.slow
def test_demo_goals_show_every_colour_on_the_demo_data(sqlite_url: str) -> None:
    from demo.load import load_demo_set

    store = Store(sqlite_url)
    load_demo_set(store)
    load_demo_goals(store)
    counts = goals_summary(store).counts
    assert all(counts[status] >= 1 for status in ("green", "yellow", "red", "grey", "removed"))
    assert load_demo_goals(store)["created"] == 0  # loaded once only


# -- command line -------------------------------------------------------------------


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = cli.build_parser()
    try:
        parsed = parser.parse_args(args)
        code = parsed.handler(parsed)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_import_status_and_export(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    store = Store(sqlite_url)
    save(store, "2019-01", snapshot(9, 1))
    source = tmp_path / "mal.toml"
    source.write_text(
        '[[goal]]\nid = "plan"\nproject = "SAMRE"\nperiod = "Huvudmål"\ntitle = "Planering"\n'
        'metric = "share_joint_plan"\ndirection = "higher"\ntarget = 1.0\nyellow = 0.9\n',
        encoding="utf-8",
    )
    assert run_cli(["goals", "import", str(source)], capsys)[0] == 0

    code, out, _ = run_cli(["goals", "status", "--format", "json"], capsys)
    assert code == 0
    (record,) = json.loads(out)
    for key in ("id", "title", "project", "period", "kind", "metric", "direction", "target"):
        assert key in record
    assert (record["status"], record["label"], record["value"]) == (
        "yellow",
        "Delvis uppfyllt",
        0.9,
    )
    assert (record["numerator"], record["denominator"]) == (9, 10)

    code, out, _ = run_cli(["goals", "status", "--format", "table"], capsys)
    assert code == 0 and "◐ Delvis uppfyllt" in out and "90,0 % (9 av 10)" in out

    code, out, _ = run_cli(["goals", "export"], capsys)
    assert code == 0 and 'id = "plan"' in out


def test_cli_refuses_a_faulty_file_and_reports_usage_errors(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    source = tmp_path / "mal.toml"
    source.write_text(
        '[[goal]]\nid = "x"\nproject = "P"\nperiod = "H"\ntitle = "T"\nmetric = "nope"\n'
        'direction = "higher"\ntarget = 1\nyellow = 2\n',
        encoding="utf-8",
    )
    code, _, err = run_cli(["goals", "import", str(source)], capsys)
    assert code == 1
    assert "okänt mått 'nope'" in err and "inget har ändrats" in err
    assert run_cli(["goals", "status", "--month", "2019-13"], capsys)[0] == 2
    assert run_cli(["goals", "import", str(tmp_path / "saknas.toml")], capsys)[0] == 2


def test_migrated_goal_tables_match_their_definitions(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from store.goal_store import metadata

    goal_tables = set(metadata.tables)
    store = Store(database_url)

    def ours(name: str | None, kind: str, parent: dict) -> bool:
        if kind == "schema":
            return True
        return (name if kind == "table" else parent.get("table_name")) in goal_tables

    try:
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": ours})
            assert compare_metadata(context, metadata) == []
    finally:
        store.close()
