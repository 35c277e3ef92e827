"""Bytes to text for published tables: detect the encoding, never configure it.

Departments publish the same table as UTF-8, UTF-8 with BOM, GBK/GB2312 (decoded here
as GB18030, their superset) and now and then UTF-16. Decoding is strict: text that only
decodes with replacement characters would corrupt amounts and names silently, so it is
refused, naming the offset and line of the first bad byte.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from pipelines.ingest.errors import IssueCategory, TableError

#: Line breaks as an editor counts them (str.splitlines also breaks on \v, U+2028 …).
LINE_BREAK = re.compile(r"\r\n|\r|\n")

# UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Tried strictly, in this order. Chinese text in one of these is almost never valid in
# the other, so strict decoding detects them reliably, and they cover nearly every file.
# charset-normalizer is only the last resort because it guesses wrong on short Chinese
# texts (GBK "合计" comes back as Big5, "单位：万元" as CP949), and title lines are
# short.
_STRICT_ENCODINGS = ("utf-8", "gb18030")

# UTF-8 with a few damaged bytes (a bad copy, a cut download) still decodes to mostly
# valid multi-byte characters, while GBK read as UTF-8 gives more errors than letters.
# Damaged UTF-8 is refused rather than handed to a guesser that would make it mojibake.
_DAMAGED_UTF8_RATIO = 20


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding name), or TableError UNREADABLE naming the first bad byte."""
    bom_encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if bom_encoding is None and b"\x00" in data:
        raise _binary(data, data.index(b"\x00"), "utf-8")
    if bom_encoding is not None:
        text, encoding = _decode_strictly(data, bom_encoding), bom_encoding
    else:
        text, encoding = _detect(data)
    if "\x00" in text:
        raise _binary(data, _byte_offset(text, text.index("\x00"), encoding), encoding)
    return text, encoding


def _decode_strictly(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _undecodable(data, exc, f"not {encoding} despite its BOM") from exc


def _detect(data: bytes) -> tuple[str, str]:
    failures: list[UnicodeDecodeError] = []
    for encoding in _STRICT_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            failures.append(exc)
        if encoding == "utf-8" and _is_damaged_utf8(data):
            raise _undecodable(data, failures[0], "damaged UTF-8") from failures[0]
    guess = from_bytes(data).best()
    if guess is not None:
        return str(guess), guess.encoding
    # The encoding that got furthest is the likeliest intended one, so is its error.
    furthest = max(failures, key=lambda exc: exc.start)
    raise _undecodable(data, furthest, "no encoding fits") from furthest


def _is_damaged_utf8(data: bytes) -> bool:
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for char in text if ord(char) > 0x7F) - bad
    return good >= _DAMAGED_UTF8_RATIO * max(bad, 1)


def _undecodable(data: bytes, exc: UnicodeDecodeError, why: str) -> TableError:
    line = _line_at(data, exc.start, exc.encoding)
    return TableError(
        IssueCategory.UNREADABLE,
        f"cannot decode text ({why}): byte 0x{data[exc.start]:02x} "
        f"at offset {exc.start} is not valid {exc.encoding}",
        line=line,
    )


def _binary(data: bytes, offset: int, encoding: str) -> TableError:
    return TableError(
        IssueCategory.UNREADABLE,
        f"not a text file: NUL byte at offset {offset} "
        "(binary data, or UTF-16 without a byte-order mark)",
        line=_line_at(data, offset, encoding),
    )


def _line_at(data: bytes, offset: int, encoding: str) -> int:
    """1-based physical line of a byte offset; the bytes before it are valid text."""
    prefix = data[:offset].decode(encoding, errors="replace")
    return len(LINE_BREAK.findall(prefix)) + 1


def _byte_offset(text: str, index: int, encoding: str) -> int:
    prefix = text[:index]
    match encoding:
        case "utf-8-sig":
            return len(codecs.BOM_UTF8) + len(prefix.encode("utf-8"))
        case "utf-16" | "utf-32":  # encoding the prefix writes a BOM of the same width
            return len(prefix.encode(encoding))
        case _:
            return len(prefix.encode(encoding, errors="replace"))
