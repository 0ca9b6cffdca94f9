"""A new project (insats) name that is close to a known one is most likely a slip.

``Vagval``, ``Vägvall`` or ``VÃ¤gval`` beside a known ``Vägval`` would otherwise start a
second project and split its history in two. Closeness is judged as for municipalities
(``ingest.municipalities``): case, spaces and diacritics folded, text garbled by a wrong
encoding repaired, then ``difflib``'s similarity ratio.
"""

from __future__ import annotations

import difflib

from ingest.encoding import repair_mojibake
from ingest.schema import normalize_header

#: Similarity (difflib's ratio of the folded names) from which a new name is questioned;
#: a little stricter than for municipalities, since project names are chosen freely. A
#: real series such as ``Steg 1``/``Steg 2`` is still questioned once, and confirmed.
CLOSE_NAME_CUTOFF = 0.8


def _folded(name: str) -> str:
    return normalize_header(repair_mojibake(name))


def close_known_name(name: str, known: list[str]) -> str | None:
    """The known name ``name`` was most likely meant as, or None when it is new for real
    (or is itself known)."""
    if name in known:
        return None
    by_folded: dict[str, str] = {}
    for candidate in sorted(known):
        by_folded.setdefault(_folded(candidate), candidate)
    folded = _folded(name)
    if not folded:
        return None
    if folded in by_folded:
        return by_folded[folded]
    close = difflib.get_close_matches(folded, list(by_folded), n=1, cutoff=CLOSE_NAME_CUTOFF)
    return by_folded[close[0]] if close else None
