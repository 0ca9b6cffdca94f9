"""Sweden's 290 municipalities: match what a user typed to the official name and SCB code."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from ingest.schema import normalize_header

KOMMUNER_CSV = Path(__file__).resolve().parent.parent / "data" / "kommuner.csv"


@dataclass(frozen=True)
class Municipality:
    code: str  # 4 digits, leading zero kept
    name: str  # official name
    county_code: str


@dataclass(frozen=True)
class Match:
    """What one typed value resolves to: a municipality, or a suggestion (maybe none)."""

    municipality: Municipality | None
    suggestion: str | None = None


def _exact_key(text: str) -> str:
    """Case, spaces, hyphens and underscores forgiven; diacritics kept (Håbo is not Habo)."""
    return re.sub(r"[\s\-_]+", "", unicodedata.normalize("NFC", text).lower())


def _strip_suffix(text: str) -> str:
    return re.sub(r"\s+kommun$", "", text.strip(), flags=re.IGNORECASE)


@dataclass(frozen=True)
class Register:
    by_code: dict[str, Municipality]
    by_exact: dict[str, Municipality]
    by_folded: dict[str, Municipality]  # only folded names that are unambiguous
    folded_names: dict[str, str]  # folded -> official name (for suggestions)


@cache
def register(path: Path = KOMMUNER_CSV) -> Register:
    """The municipality register, read once per process."""
    frame = pl.read_csv(path, infer_schema=False)
    items = [
        Municipality(row["kommunkod"].zfill(4), row["kommun"], row["lanskod"])
        for row in frame.iter_rows(named=True)
    ]
    folded_counts: dict[str, int] = {}
    for m in items:
        folded_counts[normalize_header(m.name)] = folded_counts.get(normalize_header(m.name), 0) + 1
    return Register(
        by_code={m.code: m for m in items},
        by_exact={_exact_key(m.name): m for m in items},
        by_folded={
            normalize_header(m.name): m
            for m in items
            if folded_counts[normalize_header(m.name)] == 1
        },
        folded_names={normalize_header(m.name): m.name for m in items},
    )


def resolve(value: str) -> Match:
    """Resolve a name or code: ``upplands-väsby``, ``UPPLANDS VASBY``, ``0114``, ``114``."""
    reg = register()
    text = _strip_suffix(value)
    if re.fullmatch(r"\d{3,4}", text):
        found = reg.by_code.get(text.zfill(4))
        return Match(found)
    found = reg.by_exact.get(_exact_key(text)) or reg.by_folded.get(normalize_header(text))
    if found is not None:
        return Match(found)
    close = difflib.get_close_matches(
        normalize_header(text), list(reg.folded_names), n=1, cutoff=0.75
    )
    return Match(None, reg.folded_names[close[0]] if close else None)
