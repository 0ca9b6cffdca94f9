"""Upload hardening: size, rows, unpacked size, macro workbooks, text length; nothing stored."""

from __future__ import annotations

import io
import tomllib
import zipfile
from pathlib import Path

import polars as pl
import pytest

from ingest import read_and_validate
from ingest.limits import MAX_UPLOAD_MB, MIB, UPLOAD_LIMITS, FileLimits
from store import Store
from store.importer import import_export

REPO = Path(__file__).resolve().parent.parent
HEADER = "deltagare_id;insats;kommun;kon;startdatum\n"


def _csv(rows: int, project: str = "SAMRE") -> bytes:
    body = "".join(f"P{i:05d};{project};Sigtuna;K;2018-01-01\n" for i in range(rows))
    return (HEADER + body).encode()


def _xlsx(rows: int) -> bytes:
    frame = pl.DataFrame(
        {"deltagare_id": [f"P{i}" for i in range(rows)], "insats": ["SAMRE"] * rows}
    )
    buffer = io.BytesIO()
    frame.write_excel(buffer)
    return buffer.getvalue()


def _rules(outcome) -> set[str]:  # type: ignore[no-untyped-def]
    return {p.rule for p in outcome.problems}


def test_server_upload_limit_and_the_code_limit_are_the_same() -> None:
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB
    assert UPLOAD_LIMITS.max_bytes == MAX_UPLOAD_MB * MIB
    assert config["server"]["address"] == "localhost"


def test_a_file_over_the_size_limit_is_refused_before_reading() -> None:
    limits = FileLimits(max_bytes=1000, max_rows=None, max_unpacked_bytes=MIB)
    outcome = read_and_validate(_csv(100), "samre_2019-03.csv", limits=limits)
    assert _rules(outcome) == {"for_stor_fil"}
    assert "högst" in outcome.problems[0].message
    assert read_and_validate(_csv(5), "samre_2019-03.csv", limits=limits).ok


def test_a_file_over_the_row_limit_is_refused() -> None:
    limits = FileLimits(max_bytes=None, max_rows=10, max_unpacked_bytes=MIB)
    assert _rules(read_and_validate(_csv(11), "a.csv", limits=limits)) == {"for_manga_rader"}
    assert read_and_validate(_csv(10), "a.csv", limits=limits).ok
    assert _rules(read_and_validate(_xlsx(11), "a.xlsx", limits=limits)) == {"for_manga_rader"}


def _bomb(unpacked: int) -> bytes:
    """A workbook-shaped zip whose sheet unpacks to ``unpacked`` bytes of one character."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"0" * MIB
            for _ in range(unpacked // MIB):
                sheet.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_from_its_directory_without_unpacking(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _bomb(64 * MIB)
    assert len(data) < MIB
    opened: list[str] = []
    original = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(str(getattr(name, "filename", name)))
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    outcome = read_and_validate(data, "export.xlsx", limits=UPLOAD_LIMITS)
    assert _rules(outcome) == {"for_stor_uppackad"}
    assert opened == []  # nothing was decompressed


def test_a_workbook_that_unpacks_to_more_than_the_limit_is_refused() -> None:
    data = _xlsx(50)
    tight = FileLimits(max_bytes=None, max_rows=None, max_unpacked_bytes=1000)
    assert _rules(read_and_validate(data, "a.xlsx", limits=tight)) == {"for_stor_uppackad"}
    assert "for_stor_uppackad" not in _rules(read_and_validate(data, "a.xlsx"))


def test_macro_workbooks_are_refused() -> None:
    assert _rules(read_and_validate(_xlsx(2), "export.xlsm")) == {"makrofil"}


def test_overlong_text_fields_are_refused() -> None:
    long_name = "X" * 101
    data = (HEADER + f"P1;{long_name};Sigtuna;K;2018-01-01\n").encode()
    outcome = read_and_validate(data, "a.csv")
    assert "for_lang" in _rules(outcome)


def test_refused_uploads_store_nothing_and_are_logged(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    limits = FileLimits(max_bytes=None, max_rows=3, max_unpacked_bytes=MIB)
    outcome = import_export(store, _csv(4), "samre_2019-03.csv", limits=limits, actor="anna")
    assert outcome.status == "refused" and "högst 3" in outcome.message
    assert store.history() == []
    entry = store.audit_entries()[0]
    assert entry["action"] == "import_refused" and entry["detail"]["rules"] == ["for_manga_rader"]
