"""Which text encoding an export is in, and text that was decoded in the wrong one.

Swedish Excel saves CSV as UTF-8 (often with a BOM) or as Windows-1252. A file is read in
one of them, whole: a file that is mostly UTF-8 but has a stray Windows-1252 byte (two
programs wrote it) is refused, since reading it all as Windows-1252 would turn every
``ä`` into ``Ã¤`` without a word. The same garbling, done before the file reached us, is
recognised in the values themselves (*mojibake*).
"""

from __future__ import annotations

import re

from ingest.problems import Problem

UTF8_BOM = b"\xef\xbb\xbf"

#: Valid UTF-8 sequences of two to four bytes (RFC 3629): their presence says the file
#: was written as UTF-8, so bytes that are not valid UTF-8 beside them are a mix.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _as_windows_1252(byte: int) -> str:
    """The character Windows-1252 shows for ``byte``; its five holes read as Latin-1 does."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return bytes([byte]).decode("latin-1")


#: A UTF-8 continuation byte (0x80-0xBF) as it looks when read as Windows-1252.
_CONTINUATION = "".join(_as_windows_1252(b) for b in range(0x80, 0xC0))
_FROM_CONTINUATION = {
    char: byte for byte, char in zip(range(0x80, 0xC0), _CONTINUATION, strict=True)
}
_CLASS = "".join(f"\\u{ord(c):04X}" for c in _CONTINUATION)  # Python and Rust regex alike

#: UTF-8 for U+0080-U+00FF (``ä`` is C3 A4, shown as ``Ã¤``) and for the punctuation at
#: U+2000-U+203F (``–`` is E2 80 93, shown as ``â€“``), as read in Windows-1252. Only these
#: leads are looked for: they cover every Swedish and Western letter, and ``Ä``/``Å``/``Ö``
#: as leads would flag real Swedish text.
MOJIBAKE_PATTERN = f"(?:Ã|Â|â€)[{_CLASS}]"
_MOJIBAKE = re.compile(MOJIBAKE_PATTERN)
_LEADS = {"Ã": b"\xc3", "Â": b"\xc2", "â€": b"\xe2\x80"}


def repair_mojibake(text: str) -> str:
    """``VÃ¤gval`` -> ``Vägval``: each garbled sequence decoded back as the UTF-8 it was."""

    def undo(match: re.Match[str]) -> str:
        garbled = match.group(0)
        raw = _LEADS[garbled[:-1]] + bytes([_FROM_CONTINUATION[garbled[-1]]])
        return raw.decode("utf-8")

    return _MOJIBAKE.sub(undo, text)


def row_of(data: bytes, offset: int) -> int:
    """The line ``offset`` falls on, counted from 1 as an editor (and Excel) shows it."""
    return data.count(b"\n", 0, offset) + 1


def check_single_encoding(data: bytes, had_bom: bool) -> Problem | None:
    """``data`` (BOM removed) is not valid UTF-8: refuse it unless it is clean Windows-1252.

    A BOM or any valid multibyte UTF-8 sequence means the file was written as UTF-8, so the
    invalid bytes are a second encoding mixed in.
    """
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as error:
        bad = error.start
    if had_bom or _UTF8_MULTIBYTE.search(data):
        return Problem(
            "blandad_teckenkodning",
            f"Filen blandar teckenkodningar: den är sparad som UTF-8, men rad {row_of(data, bad)} "
            "har tecken i en annan kodning (troligen Windows-1252), så å, ä och ö skulle läsas "
            "fel. Rätta raden eller spara hela filen på nytt som CSV UTF-8 och ladda upp igen; "
            "inget har sparats.",
            rows=[row_of(data, bad)],
            count=1,
        )
    try:
        data.decode("cp1252")
    except UnicodeDecodeError as error:
        return Problem(
            "okand_teckenkodning",
            f"Filen är varken UTF-8 eller Windows-1252: rad {row_of(data, error.start)} har ett "
            "tecken som inte finns i någon av dem. Spara filen som CSV UTF-8 och ladda upp "
            "igen; inget har sparats.",
            rows=[row_of(data, error.start)],
            count=1,
        )
    return None
