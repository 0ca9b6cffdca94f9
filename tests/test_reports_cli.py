"""`cli.py report`: exit 0 written, 1 refused (unknown project, no data), 2 usage error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import cli
from access.roles import AccessDenied, User
from commandline import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from demo.load import load_demo_set
from reports.export import export_report
from store import Store


def run(*argv: str) -> int:
    parser = cli.build_parser()
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exit_:
        assert isinstance(exit_.code, int), "argparse exits with a number"
        return exit_.code
    return args.handler(args)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'demo.db'}"
    store = Store(url)
    load_demo_set(store)
    store.close()
    yield url


@pytest.fixture
def demo_db(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", demo_url)
    return demo_url


def test_html_is_written(demo_db: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "underlag.html"
    assert run("report", "--project", "Brobygget", "--month", "2019-03", "--out", str(out)) == 0
    text = out.read_text(encoding="utf-8")
    assert "Rapportmånad mars 2019" in text
    assert "skrivet till" in capsys.readouterr().out


@pytest.mark.slow
def test_pdf_is_written(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "underlag.pdf"
    assert run("report", "--project", "Vägval", "--out", str(out)) == EXIT_OK
    assert out.read_bytes().startswith(b"%PDF")


def test_unknown_project_is_refused(demo_db: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "underlag.pdf"
    assert run("report", "--project", "Okänd", "--out", str(out)) == EXIT_REFUSED
    assert not out.exists()
    assert "Okänd" in capsys.readouterr().err


def test_month_before_the_first_export_is_refused(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "underlag.html"
    code = run("report", "--project", "Brobygget", "--month", "2017-12", "--out", str(out))
    assert code == EXIT_REFUSED
    assert not out.exists()


def test_empty_store_is_refused(sqlite_url: str, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    out = tmp_path / "underlag.html"
    assert run("report", "--project", "Brobygget", "--out", str(out)) == EXIT_REFUSED


@pytest.mark.parametrize(
    "argv",
    [
        ("report", "--project", "Brobygget", "--out", "underlag.docx"),
        ("report", "--project", "Brobygget", "--month", "2019-13", "--out", "u.pdf"),
        ("report", "--project", "Brobygget"),
        ("report", "--out", "u.pdf"),
        ("report", "--project", "Brobygget", "--out", "/finns/inte/u.pdf"),
    ],
)
def test_usage_errors(demo_db: str, argv: tuple[str, ...]) -> None:
    assert run(*argv) == EXIT_USAGE


def test_a_viewer_cannot_take_the_pack_out_and_the_refusal_is_logged(demo_db: str) -> None:
    store = Store(demo_db)
    viewer = User(name="styrelse@exempel.se", roles=frozenset({"viewer"}), mode="signin")
    with pytest.raises(AccessDenied):
        export_report(store, "Brobygget", None, "html", viewer)
    last = store.audit_entries()[0]  # newest first
    assert (last["actor"], last["action"]) == ("styrelse@exempel.se", "refused")


def test_an_exported_pack_is_logged_with_who_and_format(demo_db: str) -> None:
    store = Store(demo_db)
    uploader = User(name="pl@exempel.se", roles=frozenset({"uploader"}), mode="signin")
    content, data = export_report(store, "Vägval", "2019-06", "html", uploader)
    assert data.startswith(b"<!DOCTYPE html>") or b"<html" in data[:200]
    last = store.audit_entries()[0]  # newest first
    assert (last["actor"], last["action"]) == ("pl@exempel.se", "report_export")
    assert last["detail"]["format"] == "html"
    assert last["detail"]["month"] == content.month == "2019-06"


def test_cli_refuses_a_role_without_report_export(demo_db, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LAGESBILD_CLI_ROLES", "viewer")
    out = tmp_path / "underlag.html"
    assert run("report", "--project", "Brobygget", "--out", str(out)) == EXIT_REFUSED
    assert not out.exists()


def test_a_pack_for_a_period_shows_the_goals_over_its_months(demo_db: str, tmp_path) -> None:
    out = tmp_path / "underlag.html"
    argv = ("report", "--project", "Vägval", "--month", "2019-06", "--period", "2019Q2")
    assert run(*argv, "--out", str(out)) == 0
    text = out.read_text(encoding="utf-8")
    assert "kvartal 2 2019" in text
    months = [f'<th scope="col" class="sc-month">2019-0{m}</th>' for m in range(3, 7)]
    assert [month in text for month in months] == [False, True, True, True]
    last = Store(demo_db).audit_entries()[0]
    assert last["action"] == "report_export" and last["detail"]["period"] == "2019Q2"
