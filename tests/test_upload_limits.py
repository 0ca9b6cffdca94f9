"""Upload hardening: size, rows, unpacked size, macro workbooks, text length; nothing stored."""

from __future__ import annotations

import io
import tomllib
import zipfile
from pathlib import Path
from typing import IO, Any, NoReturn

import polars as pl
import pytest

from access.roles import system_user
from ingest import ValidationOutcome, read_and_validate
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


def _rules(outcome: ValidationOutcome) -> set[str]:
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

    def spy(
        self: zipfile.ZipFile, name: str | zipfile.ZipInfo, *args: Any, **kwargs: Any
    ) -> IO[bytes]:
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
    outcome = import_export(
        store, _csv(4), "samre_2019-03.csv", limits=limits, actor=system_user("anna")
    )
    assert outcome.status == "refused" and "högst 3" in outcome.message
    assert store.history() == []
    entry = store.audit_entries()[0]
    assert entry["action"] == "import_refused" and entry["detail"]["rules"] == ["for_manga_rader"]


# --- workbooks that lie about their sizes -------------------------------------------------

_CENTRAL = b"PK\x01\x02"
_LOCAL = b"PK\x03\x04"
_END = b"PK\x05\x06"


def _repetitive_sheet(rows: int, text: bytes = b"P1") -> bytes:
    """A worksheet of ``rows`` identical rows of one ``text`` cell: valid XML that packs
    about 300:1, or near deflate's 1000:1 with a long ``text``."""
    row = b'<row><c t="inlineStr"><is><t>' + text + b"</t></is></c></row>"
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + row * rows + b"</sheetData></worksheet>"
    )


def _forged_workbook(sheet: bytes, stated_size: int) -> bytes:
    """A real xlsxwriter workbook whose sheet is ``sheet``, its sizes patched to say
    ``stated_size`` bytes unpacked, both in the central directory and the local header."""
    real = _xlsx(3)
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(real)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = sheet
            target.writestr(info.filename, content)
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        member = archive.getinfo("xl/worksheets/sheet1.xml")
    local = member.header_offset
    assert data[local : local + 4] == _LOCAL
    data[local + 22 : local + 26] = stated_size.to_bytes(4, "little")
    name = member.filename.encode()
    end = data.rindex(_END)  # end of central directory record: where the directory starts
    central = int.from_bytes(data[end + 16 : end + 20], "little")
    while True:  # walk the central directory to the sheet's entry
        assert data[central : central + 4] == _CENTRAL
        lengths = [
            int.from_bytes(data[central + i : central + i + 2], "little") for i in (28, 30, 32)
        ]
        if data[central + 46 : central + 46 + lengths[0]] == name:
            break
        central += 46 + sum(lengths)
    data[central + 24 : central + 28] = stated_size.to_bytes(4, "little")
    return bytes(data)


def _measured_refusal(
    data: bytes, limits: FileLimits, monkeypatch: pytest.MonkeyPatch
) -> tuple[ValidationOutcome, int, int, list[bool]]:
    """Run the check, counting the bytes zipfile inflated and whether the Excel reader ran."""
    import tracemalloc

    import fastexcel

    inflated = [0]
    original_read = zipfile.ZipExtFile.read

    def counting_read(self: zipfile.ZipExtFile, n: int | None = -1) -> bytes:
        chunk = original_read(self, n)
        inflated[0] += len(chunk)
        return chunk

    parsed: list[bool] = []

    def no_excel(*args: object, **kwargs: object) -> NoReturn:
        parsed.append(True)
        raise AssertionError("the Excel reader must not see this file")

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    monkeypatch.setattr(fastexcel, "read_excel", no_excel)
    tracemalloc.start()
    try:
        outcome = read_and_validate(data, "export.xlsx", limits=limits)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return outcome, inflated[0], peak, parsed


def test_a_workbook_with_forged_small_sizes_is_refused_by_its_packing_ratio(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sheet = _repetitive_sheet(64_000, text=b"0" * 1000)  # about 67 MB of rows
    data = _forged_workbook(sheet, stated_size=4_000)
    assert len(data) < MIB
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # the directory says: small
        assert sum(m.file_size for m in archive.infolist()) < 100_000
    outcome, inflated, peak, parsed = _measured_refusal(data, UPLOAD_LIMITS, monkeypatch)
    assert _rules(outcome) == {"for_stor_uppackad"}
    assert not parsed
    # Stopped at the ratio cap (200 times the packed size), far short of the whole sheet.
    packed = len(data)
    assert inflated <= UPLOAD_LIMITS.max_ratio * packed + 2 * MIB
    assert inflated < len(sheet) / 2
    assert peak < 16 * MIB


def test_a_workbook_with_forged_sizes_stops_at_the_unpacked_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sheet = _repetitive_sheet(600_000)  # about 30 MB
    data = _forged_workbook(sheet, stated_size=4_000)
    limits = FileLimits(max_bytes=None, max_rows=None, max_unpacked_bytes=4 * MIB)
    outcome, inflated, _peak, parsed = _measured_refusal(data, limits, monkeypatch)
    assert _rules(outcome) == {"for_stor_uppackad"}
    assert not parsed
    assert 4 * MIB < inflated <= 4 * MIB + 2 * MIB


def test_a_workbook_whose_real_size_differs_from_the_stated_one_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sheet = _repetitive_sheet(2_000)  # small and within every limit, but it lies
    data = _forged_workbook(sheet, stated_size=len(sheet) // 2)
    outcome, _inflated, _peak, parsed = _measured_refusal(data, UPLOAD_LIMITS, monkeypatch)
    assert _rules(outcome) == {"skadad_xlsx"}
    assert "skadad" in outcome.problems[0].message
    assert not parsed


def test_a_workbook_that_states_its_sizes_truly_is_inflated_and_read() -> None:
    sheet = _repetitive_sheet(2_000)
    data = _forged_workbook(sheet, stated_size=len(sheet))
    outcome = read_and_validate(data, "a.xlsx", limits=UPLOAD_LIMITS)
    assert not {"for_stor_uppackad", "skadad_xlsx"} & _rules(outcome)
    assert outcome.rows_read == 2_000 - 1  # the first row is the header
