"""Unreadable files and folders where the tests run as root.

Root reads a mode-000 file because it holds CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, not because
permissions do not apply to it. Without those two capabilities root is an ordinary owner: a
mode-000 file it owns is refused by the kernel with EACCES, exactly as for any user. So instead of
faking a PermissionError, the tests drop the two capabilities:

- `as_ordinary_owner()` lowers them from the calling thread's effective set for the duration of a
  block (Linux capabilities are per thread; the permitted set keeps them, so they come back after);
- `ordinary_owner_child()` is a subprocess `preexec_fn` that removes them from the bounding set
  before exec, so the whole child process (the CLI and its threads) runs without them.

For a non-root user both do nothing: the permissions apply already.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator
from contextlib import contextmanager

_CAP_DAC_OVERRIDE = 1
_CAP_DAC_READ_SEARCH = 2
_OVERRIDES = (1 << _CAP_DAC_OVERRIDE) | (1 << _CAP_DAC_READ_SEARCH)
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_SYS_CAPGET, _SYS_CAPSET = 125, 126  # x86_64
_PR_CAPBSET_DROP = 24

_libc = ctypes.CDLL(None, use_errno=True)


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def permissions_bind_root() -> bool:
    """True when root's overrides could be dropped (or are not needed): unreadable files can be made."""
    return os.geteuid() != 0 or _capget() is not None


# Why a test of unreadable entries skips (a failure in CI, which runs as root with capget).
CANNOT_MAKE_UNREADABLE = (
    "running as root where capget(2) fails, so root's permission overrides (CAP_DAC_OVERRIDE, "
    "CAP_DAC_READ_SEARCH) cannot be dropped and no file or folder can be made unreadable to the test"
)


def _capget() -> tuple[_Header, ctypes.Array] | None:
    header = _Header(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_Data * 2)()
    if _libc.syscall(_SYS_CAPGET, ctypes.byref(header), data) != 0:
        return None
    return header, data


def _capset(header: _Header, data: ctypes.Array) -> None:
    if _libc.syscall(_SYS_CAPSET, ctypes.byref(header), data) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))


@contextmanager
def as_ordinary_owner() -> Iterator[None]:
    """This thread checks file permissions as any owner would, even as root."""
    if os.geteuid() != 0:
        yield
        return
    got = _capget()
    if got is None:
        raise OSError("capget failed: cannot drop root's permission overrides")
    header, data = got
    saved = data[0].effective
    data[0].effective = saved & ~_OVERRIDES
    _capset(header, data)
    try:
        yield
    finally:
        data[0].effective = saved
        _capset(header, data)


def ordinary_owner_child() -> None:
    """preexec_fn: the child (after exec) has no permission overrides, even as root."""
    if os.geteuid() != 0:
        return
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if _libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, os.strerror(errno))
