"""Numbers a load takes from the environment (batch size, a file's time budget): read one way."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

N = TypeVar("N", int, float)


def positive_from_env(name: str, default: N, kind: Callable[[str], N], *, what: str) -> N:
    """`default`, or the number `name` holds when set; anything not above zero is refused by name."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = kind("0")
    if not value > 0:
        raise ValueError(f"{name} must be {what} > 0, not {text!r}")
    return value
