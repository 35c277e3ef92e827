"""Folding the look-alike code points PDF producers write for Chinese characters.

A CJK font draws 目 and the Kangxi radical ⽬ (U+2F6C) with one glyph; a producer that maps the
glyph back to the radical (Chromium/Skia does, read through pdfminer) makes `项⽬` unequal to
`项目`. NFKC folds the Kangxi radicals and the CJK compatibility ideographs, but it is applied
only to those blocks: on the whole text it would also turn the published full-width （：；％～
into ASCII, and the same table would read differently from its .xlsx. What NFKC misses is
mapped explicitly: the CJK Radicals Supplement (⻔ ⺠ ⻛ …, which have no decomposition), ⼾
(NFKC gives the traditional 戶, the glyph is the simplified 户) and the wave dash 〜.
"""

from __future__ import annotations

import re
import unicodedata

# CJK Radicals Supplement forms that simplified Chinese fonts use as the glyph of a whole
# character, and the few Kangxi radicals whose NFKC is the traditional form.
_EXPLICIT = {
    "⺠": "民", "⻄": "西", "⻅": "见", "⻆": "角", "⻉": "贝", "⻋": "车", "⻓": "长", "⻔": "门",
    "⻘": "青", "⻙": "韦", "⻚": "页", "⻛": "风", "⻜": "飞", "⻝": "食", "⻢": "马", "⻣": "骨",
    "⻤": "鬼", "⻥": "鱼", "⻦": "鸟", "⻧": "卤", "⻨": "麦", "⻩": "黄", "⻬": "齐", "⻮": "齿",
    "⻰": "龙", "⻳": "龟", "⺟": "母", "⺮": "竹", "⻊": "足",
    "⼾": "户",
    "〜": "～",
}


def _needs_nfkc(char: str) -> bool:
    code = ord(char)
    return (
        0x2F00 <= code <= 0x2FDF  # Kangxi Radicals
        or 0xF900 <= code <= 0xFAFF  # CJK Compatibility Ideographs
        or 0x2F800 <= code <= 0x2FA1F  # … Supplement
    )


def fold_cjk(text: str) -> str:
    """The text with look-alike radicals and compatibility ideographs as the characters meant."""
    if text.isascii():
        return text
    return "".join(
        _EXPLICIT.get(char) or (unicodedata.normalize("NFKC", char) if _needs_nfkc(char) else char)
        for char in text
    )


# CJK ideographs, CJK punctuation and full-width forms: Chinese text never needs a space beside them.
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BESIDE_CJK = re.compile(f"(?<=[{_CJK}]) +| +(?=[{_CJK}])")


def drop_spaces_beside_cjk(text: str) -> str:
    """`2024 年 12 月` → `2024年12月`. A PDF has no space characters to read, only gaps between
    glyphs; LibreOffice widens the gap between Chinese and Latin text (its Asian/Western
    autospacing) as much as a space, so a gap beside a Chinese character is never a space."""
    return _SPACE_BESIDE_CJK.sub("", text)
