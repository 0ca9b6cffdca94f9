"""Limits on what a file may be before it is read: size, rows, and what an XLSX unpacks to.

An XLSX is a zip archive; a small one can unpack to gigabytes (a *zip bomb*). Its central
directory states each member's packed and unpacked size, so a workbook that says it would
unpack to too much, or packs implausibly tightly, is refused before anything is
decompressed. Those sizes are only what the file claims, so every member is then inflated
in chunks and the bytes that really come out are counted and thrown away: the count stops
at the same limits, and a member whose real size differs from the stated one is refused,
all before the Excel reader (which trusts the stream, not the sizes) sees the file.

The upload page uses ``UPLOAD_LIMITS``: its byte limit is the same as
``server.maxUploadSize`` in ``.streamlit/config.toml`` (a test keeps the two equal), checked
again here because that setting can be changed or bypassed. Files named on the command line
(``FILE_LIMITS``) have no size or row cap, for large scheduled imports, but the unpacking
limit applies to them too.
"""

from __future__ import annotations

import copy
import io
import zipfile
import zlib
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
#: Inflated bytes held at once while counting a member.
_CHUNK = MIB


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
    """Refuse a zip that would unpack to too much: first by its central directory, then by
    counting what its members really inflate to (never more than the limit)."""
    if not data.startswith(b"PK"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if _declared_too_much(members, limits):
                return _too_much(limits)
            return _inflated_beyond(archive, members, limits)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # not a readable archive: the reader refuses it with its own message


def _declared_too_much(members: list[zipfile.ZipInfo], limits: FileLimits) -> bool:
    unpacked = sum(m.file_size for m in members)
    too_tight = any(
        m.file_size > _member_cap(m.compress_size, limits) for m in members if not m.is_dir()
    )
    return len(members) > limits.max_members or unpacked > limits.max_unpacked_bytes or too_tight


def _member_cap(compress_size: int, limits: FileLimits) -> int:
    """The most one member may unpack to before its packing ratio says bomb."""
    return max(_RATIO_FLOOR, limits.max_ratio * max(compress_size, 1))


def _inflated_beyond(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limits: FileLimits
) -> Problem | None:
    """Inflate each member in chunks, counting the bytes; stop as soon as a limit is passed.

    zipfile stops a member at its stated size, so each member is opened with a stated size
    just past the limit: the count then follows the compressed data, as a reader that
    ignores the stated sizes would, and the CRC is still checked at the real end.
    """
    total = 0
    for member in members:
        if member.is_dir():
            continue
        unbounded = copy.copy(member)
        unbounded.file_size = limits.max_unpacked_bytes + 1
        cap = _member_cap(member.compress_size, limits)
        size = 0
        try:
            with archive.open(unbounded) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if size > cap or total > limits.max_unpacked_bytes:
                        return _too_much(limits)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
            return _damaged()
        if size != member.file_size:
            return _damaged()
    return None


def _too_much(limits: FileLimits) -> Problem:
    return Problem(
        "for_stor_uppackad",
        "Excel-filen skulle packas upp till mer än vad som tas emot "
        f"(högst {_mb(limits.max_unpacked_bytes)} uppackat) och har inte öppnats. Spara "
        "exporten som CSV eller en vanlig .xlsx och ladda upp igen; inget har sparats.",
    )


def _damaged() -> Problem:
    return Problem(
        "skadad_xlsx",
        "Excel-filen är skadad: innehållet stämmer inte med de storlekar filen själv anger, "
        "så den har inte öppnats. Öppna den i Excel, spara som .xlsx och ladda upp igen; "
        "inget har sparats.",
    )


def check_rows(rows: int, limits: FileLimits) -> Problem | None:
    if limits.max_rows is None or rows <= limits.max_rows:
        return None
    return Problem(
        "for_manga_rader",
        f"Filen har {rows:,} rader, men högst {limits.max_rows:,} tas emot. ".replace(",", " ")
        + "Exportera en insats eller månad i taget; inget har sparats.",
    )
