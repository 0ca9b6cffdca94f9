"""Limits on what a file may be before it is read: size, rows, and what an XLSX unpacks to.

An XLSX is a zip archive; a small one can unpack to gigabytes (a *zip bomb*). Its central
directory states each member's packed and unpacked size, so a workbook that would unpack
to too much, or packs implausibly tightly, is refused before anything is decompressed.

The upload page uses ``UPLOAD_LIMITS``: its byte limit is the same as
``server.maxUploadSize`` in ``.streamlit/config.toml`` (a test keeps the two equal), checked
again here because that setting can be changed or bypassed. Files named on the command line
(``FILE_LIMITS``) have no size or row cap, for large scheduled imports, but the unpacking
limit applies to them too.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from ingest.problems import Problem

MIB = 1024 * 1024
#: Megabytes, as Streamlit's ``server.maxUploadSize`` counts them.
MAX_UPLOAD_MB = 50


@dataclass(frozen=True)
class FileLimits:
    """``None`` means no limit."""

    max_bytes: int | None
    max_rows: int | None
    max_unpacked_bytes: int
    #: Unpacked/packed size above which a member is taken for a bomb (XML packs ~10-30x).
    max_ratio: int = 200
    max_members: int = 5_000


UPLOAD_LIMITS = FileLimits(
    max_bytes=MAX_UPLOAD_MB * MIB, max_rows=200_000, max_unpacked_bytes=400 * MIB
)
FILE_LIMITS = FileLimits(max_bytes=None, max_rows=None, max_unpacked_bytes=4096 * MIB)

#: Members smaller than this are not judged by their packing ratio.
_RATIO_FLOOR = MIB


def _mb(size: int) -> str:
    return f"{size / MIB:.0f} MB".replace(".", ",")


def check_size(data: bytes, limits: FileLimits) -> Problem | None:
    if limits.max_bytes is None or len(data) <= limits.max_bytes:
        return None
    return Problem(
        "for_stor_fil",
        f"Filen är {_mb(len(data))}, men högst {_mb(limits.max_bytes)} tas emot. Dela upp "
        "exporten eller spara den som CSV; inget har sparats.",
    )


def check_archive(data: bytes, limits: FileLimits) -> Problem | None:
    """Read only the zip's central directory: refuse what would unpack to too much."""
    if not data.startswith(b"PK"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # not a readable archive: the reader refuses it with its own message
    unpacked = sum(m.file_size for m in members)
    too_tight = any(
        m.file_size > _RATIO_FLOOR and m.file_size > limits.max_ratio * max(m.compress_size, 1)
        for m in members
    )
    if len(members) > limits.max_members or unpacked > limits.max_unpacked_bytes or too_tight:
        return Problem(
            "for_stor_uppackad",
            "Excel-filen skulle packas upp till mer än vad som tas emot "
            f"(högst {_mb(limits.max_unpacked_bytes)} uppackat) och har inte öppnats. Spara "
            "exporten som CSV eller en vanlig .xlsx och ladda upp igen; inget har sparats.",
        )
    return None


def check_rows(rows: int, limits: FileLimits) -> Problem | None:
    if limits.max_rows is None or rows <= limits.max_rows:
        return None
    return Problem(
        "for_manga_rader",
        f"Filen har {rows:,} rader, men högst {limits.max_rows:,} tas emot. ".replace(",", " ")
        + "Exportera en insats eller månad i taget; inget har sparats.",
    )
