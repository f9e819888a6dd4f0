"""Turning a file's bytes into text, with a clear word for files that are not text at all."""

from __future__ import annotations

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
    """Read a file as text (see :func:`decode_bytes`), refusing unreadable or oversized files."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if size > max_bytes:
        raise InputError(
            f"{path}: {size / 1e6:.0f} MB is more than the {max_bytes / 1e6:.0f} MB limit; split the file"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    return decode_bytes(data, str(path))


def _control_share(sample: bytes) -> float:
    if not sample:
        return 0.0
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(sample)
