"""Text from files shown as text: names and comments never become Markdown.

Streamlit renders Markdown (bold, links, headings, colour directives, LaTeX) in
``st.markdown``, ``st.caption``, the alert boxes, ``st.write`` of a string, and widget
labels. An insats called ``[klicka](https://evil.example)`` must show those characters,
not a link, so every text that comes from an export, a goal file or a user passes here.
"""

from __future__ import annotations

import re

#: Where Streamlit's Markdown (GFM) would turn plain text into a link even after escaping:
#: ``https://``, ``www.`` and ``name@domain``. An invisible word joiner goes in there.
_AUTOLINK = re.compile(
    r"(?<=https:)(?=//)|(?<=http:)(?=//)|(?<=www)(?=\.)|(?<=@)(?=\w)", re.IGNORECASE
)
WORD_JOINER = "\u2060"

#: Characters that start Markdown anywhere in a line: emphasis, code, links, raw HTML,
#: headings, tables, strikethrough, LaTeX, Streamlit's ``:red[...]`` and icons, entities.
_INLINE = re.compile(r"([\\`*_\[\]<>#|~$:&])")
#: At the start of a line these make a list, a thematic break or a setext heading.
_LINE_START = re.compile(r"^(?:([-+=])|(\d+)([.)]))")


def _escape_line(line: str) -> str:
    escaped = _INLINE.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, line.strip()))
    return _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped, count=1)


def escape_markdown(text: object) -> str:
    """``text`` as Markdown that renders exactly as the characters it holds.

    GFM links bare addresses after Markdown is parsed, escaped or not, so a word joiner
    (invisible) breaks ``https://``, ``www.`` and ``@``. Line breaks stay (as hard
    breaks); leading spaces go, since four of them would make a code block.
    """
    return "  \n".join(_escape_line(line) for line in str(text).splitlines())
