"""The meeting pack: the figures it gathers, the privacy rule, escaping, and the PDF's text."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from typing import TypeVar

import polars as pl
import pytest
from pypdf import PdfReader

from access.roles import system_user
from demo.load import load_demo_set
from goals.model import Goal
from goals.service import create_goal, edit_goal, goal_history, goal_statuses, status_months
from metrics.catalogue import CATALOGUE, compute_metrics
from metrics.period import Period
from metrics.selection import snapshot_as_of
from metrics.suppression import suppress_small_counts
from reports.content import (
    NOTHING_TO_DRAW,
    ReportUnavailable,
    Table,
    build_report,
    small_counts,
)
from reports.html import render_html
from store import Store
from store.importer import import_export

PROJECT = "Brobygget"

T = TypeVar("T")


def shown(part: T | None) -> T:
    """A part of the pack that this test expects to be there."""
    assert part is not None, "the pack leaves this part out"
    return part


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    load_demo_set(store)
    yield store
    store.close()


HEADER = (
    "deltagare_id;insats;kommun;kon;startdatum;slutdatum;bistand_slut;forsorjning_slut;"
    "forsorjning_start;aktivitet_start;aktivitet_slut\n"
)


def _small_export() -> bytes:
    """Sigtuna has 3 participants; the other two municipalities have plenty."""
    rows = []
    for index, (municipality, count) in enumerate(
        (("Sollentuna", 24), ("Upplands Väsby", 18), ("Sigtuna", 3))
    ):
        for n in range(count):
            ended = n % 2 == 0
            end = "2019-02-01" if ended else ""
            aid, income = ("inget", "lon") if n % 4 == 0 else ("helt", "ekonomiskt_bistand")
            active_end = "Ja" if n % 3 == 0 else "Nej"
            rows.append(
                f"P{index}-{n};Liten;{municipality};{'K' if n % 2 else 'M'};2018-03-01;{end};"
                f"{aid if ended else ''};{income if ended else ''};ekonomiskt_bistand;Nej;"
                f"{active_end if ended else ''}"
            )
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture
def small_store(sqlite_url: str) -> Iterator[Store]:
    store = Store(sqlite_url)
    outcome = import_export(store, _small_export(), "liten_2019-03.csv", actor=system_user("anna"))
    assert outcome.status == "imported", outcome.message
    yield store
    store.close()


def test_key_numbers_are_the_metrics_layers(demo_store: Store) -> None:
    content = build_report(demo_store, PROJECT)
    cases = snapshot_as_of(demo_store.load_snapshots(project=PROJECT), None)
    expected = suppress_small_counts(
        compute_metrics(cases, [k.metric for k in content.key_numbers])
    )
    by_metric = {row["metric"]: row for row in expected.iter_rows(named=True)}
    assert [k.metric for k in content.key_numbers][:4] == [
        "participants",
        "participants_anonymous",
        "participants_ongoing",
        "participants_ended",
    ]
    for number in content.key_numbers:
        row = by_metric[number.metric]
        assert number.row["value"] == row["value"], number.metric
        assert number.row["denominator"] == row["denominator"], number.metric
        if CATALOGUE[number.metric].kind == "count":
            assert number.value == str(int(row["value"]))
    participants = int(by_metric["participants"]["value"])
    assert content.participants_text.startswith(f"{participants} deltagare")
    assert content.month == demo_store.load_snapshots(project=PROJECT)["report_month"].max()


def test_goals_are_the_goal_services_for_the_month(demo_store: Store) -> None:
    content = build_report(demo_store, PROJECT, "2019-06")
    records = goal_statuses(demo_store, PROJECT, "2019-06")
    assert [(g.id, g.word) for g in content.goals] == [(r.id, r.label) for r in records]
    assert {g.status for g in content.goals} >= {"removed", "green"}
    removed = next(g for g in content.goals if g.status == "removed")
    assert "Beslut:" in removed.comment
    for goal in content.goals:
        # Colour never alone: every status has its symbol and word in the table.
        assert goal.symbol and goal.word
        row = next(r for r in content.goal_table().rows if r[1] == goal.title)
        assert row[0] == f"{goal.symbol} {goal.word}"


def test_every_metric_shown_is_defined_in_the_appendix(demo_store: Store) -> None:
    content = build_report(demo_store, PROJECT)
    defined = {m.id for m in content.definitions}
    shown = {k.metric for k in content.key_numbers} | {g.metric for g in content.goals if g.metric}
    assert shown <= defined
    assert {"outcome_self_sufficient", "share_active_end"} <= defined


def test_no_count_from_one_to_four_in_any_table(demo_store: Store) -> None:
    content = build_report(demo_store, PROJECT)
    assert content.tables(), "the pack has tables"
    assert small_counts(content.tables()) == []
    # The demo has small flows: they are there, hidden, not dropped.
    assert "<5" in shown(content.flow).table.column("Antal")


def test_small_municipality_is_hidden_everywhere(small_store: Store) -> None:
    content = build_report(small_store, "Liten")
    assert small_counts(content.tables()) == []
    comparison = shown(content.comparison).table
    sigtuna = comparison.rows[comparison.column("Kommun").index("Sigtuna")]
    assert "<5" in sigtuna
    assert all(not re.search(r"\b[1-4]\b", cell) for cell in sigtuna[1:]), sigtuna


def test_ongoing_is_hidden_with_a_small_ended_count(sqlite_url: str) -> None:
    rows = [
        f"Q{n};Tidig;Sollentuna;K;2018-03-01;{'2018-05-01' if n < 2 else ''};"
        f"{'inget' if n < 2 else ''};{'lon' if n < 2 else ''};ekonomiskt_bistand;Nej;"
        f"{'Ja' if n < 2 else ''}"
        for n in range(12)
    ]
    store = Store(sqlite_url)
    data = (HEADER + "\n".join(rows) + "\n").encode("utf-8")
    assert (
        import_export(store, data, "tidig_2018-06.csv", actor=system_user("anna")).status
        == "imported"
    )
    numbers = {k.metric: k for k in build_report(store, "Tidig").key_numbers}
    store.close()
    assert numbers["participants"].value == "12"
    # 12 participants and 2 ended: showing the 10 ongoing would give the 2 away. The 10 are
    # hidden to protect the 2 and may be large, so they read "dold", not "<5".
    assert numbers["participants_ended"].value == "<5"
    assert numbers["participants_ongoing"].value == "dold"


def test_the_check_finds_a_small_count() -> None:
    table = Table(
        ("Kommun", "Antal"), (("Sigtuna", "3"), ("Solna", "<5"), ("Täby", "12")), ("Antal",)
    )
    assert small_counts([table]) == ["Antal: 3"]
    shares = Table(("n",), (("2 av 40",), ("14 av 4,5",)), ("n",))
    assert small_counts([shares]) == ["n: 2 av 40"]


def test_unknown_project_and_month_before_the_data_are_refused(demo_store: Store) -> None:
    with pytest.raises(ReportUnavailable, match="Finns-inte"):
        build_report(demo_store, "Finns-inte")
    with pytest.raises(ReportUnavailable, match="2017-01"):
        build_report(demo_store, PROJECT, "2017-01")


def test_the_fictitious_data_notice_is_on_the_cover(demo_store: Store, small_store: Store) -> None:
    demo = render_html(build_report(demo_store, PROJECT))
    real = render_html(build_report(small_store, "Liten"))
    assert "Fiktiva uppgifter" in demo
    assert "Fiktiva uppgifter" not in real


def test_text_from_files_is_escaped(small_store: Store) -> None:
    content = dataclasses.replace(
        build_report(small_store, "Liten"), project='<img src=x onerror="alert(1)">&Co'
    )
    html = render_html(content)
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;&amp;Co" in html


def test_the_html_holds_plotly_and_fetches_nothing(demo_store: Store) -> None:
    html = render_html(build_report(demo_store, PROJECT))
    assert "Plotly" in html and 'lang="sv"' in html
    # The bundle's own source mentions URLs in strings; the markup around it links nothing.
    markup = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.DOTALL)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)
    assert not re.search(r"<script[^>]*\ssrc=", html)
    assert "cdn.plot.ly" not in markup
    assert "@import" not in html and "@font-face" not in html


def _pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), text


@pytest.mark.slow
def test_the_pdf_says_what_the_metrics_and_goals_say(demo_store: Store) -> None:
    from reports.pdf import render_pdf

    content = build_report(demo_store, PROJECT)
    data = render_pdf(content)
    assert data.startswith(b"%PDF")
    pages, text = _pdf_text(data)
    flat = " ".join(text.split())
    assert pages >= 5
    assert f"Sida 1 av {pages}" in flat and f"Sida {pages} av {pages}" in flat
    assert f"Rapportmånad {content.month_text}" in flat
    assert "Fiktiva uppgifter" in flat
    for goal in content.goals:
        assert " ".join(goal.title.split()) in flat, goal.title
        assert f"{goal.symbol} {goal.word}" in flat, goal.word
    for number in content.key_numbers:
        assert f"{number.label} {number.value}" in flat, number.label
        if number.basis:
            assert number.basis in flat
    # Spot check: a hidden flow reads "<5" and never as its count.
    hidden = [row for row in shown(content.flow).table.rows if row[2] == "<5"]
    assert hidden
    for source, target, _ in hidden:
        assert not re.search(rf"{re.escape(source)} {re.escape(target)} [1-4]\b", flat)
    assert f"{hidden[0][0]} {hidden[0][1]} <5" in flat


def test_trend_table_has_one_row_per_month(demo_store: Store) -> None:
    content = build_report(demo_store, PROJECT, "2019-06")
    months = shown(content.trend_table).column("Månad")
    snapshots = demo_store.load_snapshots(project=PROJECT)
    expected = snapshots.filter(pl.col("report_month") <= "2019-06")["report_month"].unique().sort()
    assert months == expected.to_list()
    assert len(shown(content.trend_table).columns) == 4


def test_a_chart_with_everything_hidden_is_left_out_with_a_reason(demo_store: Store) -> None:
    early = build_report(demo_store, PROJECT, "2018-06")
    assert shown(early.outcomes).figure is None
    assert shown(early.outcomes).table.column("Antal") == ["<5"]
    vagval = build_report(demo_store, "Vägval")
    # Every municipality's start share is hidden, so no dumbbell has both ends.
    assert shown(vagval.activity).figure is None
    assert shown(vagval.comparison).figure is not None
    html = render_html(early)
    assert NOTHING_TO_DRAW in html
    assert 'id="diagram-outcomes"' not in html


def test_the_threshold_given_is_the_one_every_table_shows(small_store: Store) -> None:
    """A pack built with another threshold hides by it and says so in every table."""
    content = build_report(small_store, "Liten", threshold=10)
    assert content.threshold == 10
    cells = [cell for table in content.tables() for row in table.rows for cell in row]
    assert any("<10" in cell for cell in cells)
    assert not any("<5" in cell for cell in cells)
    assert small_counts(content.tables(), threshold=10) == []


# -- the goals month by month ---------------------------------------------------------------


def test_scorecard_is_the_stored_months_up_to_the_packs_month(demo_store: Store) -> None:
    content = build_report(demo_store, PROJECT, "2019-06")
    card = shown(content.scorecard)
    stored = status_months(demo_store, PROJECT)
    assert list(card.months) == [m for m in stored if m <= "2019-06"][-12:]
    assert card.months[-1] == "2019-06" and len(card.months) == 12
    history = goal_history(demo_store, PROJECT, months=card.months)
    for row in card.rows:
        assert [c.status for c in row.cells] == [m.status for m in history[row.goal_id]]
    assert [r.goal_id for r in card.rows] == [g.id for g in content.goals]
    table = content.scorecard_table()
    assert table.columns[-1] == "Värde 2019-06"
    assert {cell for row in table.rows for cell in row[2:-1]} <= {
        "✔ Uppfyllt",
        "◐ Delvis uppfyllt",
        "✖ Ej uppfyllt",
        "○ Ej bedömt",
        "— Utgått",
        "–",
    }


def test_scorecard_takes_the_months_of_a_period(demo_store: Store) -> None:
    content = build_report(demo_store, PROJECT, period=Period.quarter(2019, 1))
    assert shown(content.scorecard).months == ("2019-01", "2019-02", "2019-03")
    assert "kvartal 1 2019" in content.scorecard_span


def test_scorecard_keeps_a_stored_month_after_the_goal_is_changed(small_store: Store) -> None:
    goal = Goal(
        id="aktivitet",
        project="Liten",
        title="Minst 40 % i aktivitet vid avslut",
        period="Huvudmål",
        metric="share_active_end",
        direction="higher",
        target=0.4,
        yellow=0.35,
    )
    create_goal(small_store, goal, system_user("anna"))
    before = shown(build_report(small_store, "Liten").scorecard).row("aktivitet").cells
    assert [c.status for c in before] == ["red"]
    # Judged again by the lower target March would be green; the pack shows what was stored.
    edit_goal(small_store, dataclasses.replace(goal, target=0.2, yellow=0.1), system_user("b"))
    assert goal_statuses(small_store, "Liten")[0].status == "green"
    content = build_report(small_store, "Liten")
    assert [c.status for c in shown(content.scorecard).row("aktivitet").cells] == ["red"]
    assert content.scorecard_table().rows[0][2] == "✖ Ej uppfyllt"


@pytest.mark.slow
def test_the_pdf_shows_the_goals_month_by_month(demo_store: Store) -> None:
    from reports.pdf import render_pdf

    content = build_report(demo_store, PROJECT)
    card = shown(content.scorecard)
    reader = PdfReader(io.BytesIO(render_pdf(content)))
    (page,) = [p for p in reader.pages if "Månad för månad" in p.extract_text()]
    # A year of months is printed across the page.
    assert page.mediabox.width > page.mediabox.height
    text = page.extract_text()
    flat = " ".join(text.split())
    for month in card.months:
        assert month in flat
    assert content.scorecard_value_column in flat
    for row in card.rows:
        assert " ".join(row.title.split()) in flat, row.title
        assert row.value_now in flat, row.value_now
    # Every cell's symbol and word is printed (the legend above the table names each once).
    cells = [cell for row in card.rows for cell in row.cells]
    for status, symbol in (("green", "✔"), ("yellow", "◐"), ("red", "✖"), ("grey", "○")):
        assert text.count(symbol) - 1 == sum(c.status == status for c in cells), symbol
    assert flat.count("Utgått") - 1 == sum(c.status == "removed" for c in cells)
