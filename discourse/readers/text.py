"""Turning a file's bytes into text, with a clear word for files that are not text at all."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from discourse.errors import InputError, log

#: Larger inputs are refused with a message rather than exhausting memory (override per call).
MAX_BYTES = 512 * 1024 * 1024

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode_bytes(data: bytes, name: str = "input") -> str:
    """Decode page text: UTF-8 first, then cp1252, then latin-1 (which always succeeds).

    A fallback is logged as a warning, since the user may want to re-save the file as UTF-8.
    Binary data (NUL bytes or mostly control characters) is refused: it is not a page.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                break
    sample = data[:65536]
    if b"\x00" in sample or _control_share(sample) > 0.10:
        raise InputError(f"{name}: looks like a binary file, not text; give the page as plain text, JSON or CSV")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    for enc in ("cp1252", "latin-1"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        log.warning("%s: not valid UTF-8 (first bad byte at offset %d); decoded as %s", name, bad_at, enc)
        return text
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """Read a regular file as text (see :func:`decode_bytes`), refusing other files and oversized ones.

    Only regular files are read: a FIFO would wait for a writer forever, and a device such as
    ``/dev/zero`` never ends (its size says 0). The file is opened without blocking, checked on
    the open descriptor, and read up to ``max_bytes`` + 1 bytes, whatever its size claims.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as f:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise InputError(f"{path}: not a regular file (a {_kind(info.st_mode)}); give a file of text, JSON or CSV")
            if info.st_size > max_bytes:
                raise InputError(_too_big(path, info.st_size, max_bytes))
            data = f.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise InputError(_too_big(path, len(data), max_bytes, more=True))
    return decode_bytes(data, str(path))


def _too_big(path: Path, size: int, max_bytes: int, more: bool = False) -> str:
    mib = 1024 * 1024
    amount = f"more than {max_bytes / mib:.0f} MB" if more else f"{size / mib:.0f} MB"
    return f"{path}: {amount} is over the {max_bytes / mib:.0f} MB limit (1 MB = 1,048,576 bytes); split the file"


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "named pipe"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"), (stat.S_ISDIR, "folder")):
        if test(mode):
            return name
    return "special file"


def _control_share(sample: bytes) -> float:
    if not sample:
        return 0.0
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(sample)
