"""Names are data, not terminal output: text from raw/ made safe to print.

A file or department name may hold a line break (which would split a summary line in two), an
ESC starting a terminal escape sequence, or a bidi override that makes a name read backwards.
Wherever such text is printed (CLI summary and progress, Dagster log messages) it goes through
`printable`; the warehouse keeps the exact text.
"""

from __future__ import annotations

import re

# C0 controls and DEL, C1 controls, and the invisible format characters that reorder or hide
# text: bidi embeddings/overrides/isolates and marks, line/paragraph separators, zero-width ones.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` with every control and bidi character written as an escape (\\n, \\x1b, \\u202e).

    Idempotent: what it returns has nothing left to escape, so text escaped twice reads the same.
    """
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
