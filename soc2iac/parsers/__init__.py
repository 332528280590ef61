"""Parsers turn files into :class:`soc2iac.model.Resource` records."""

from __future__ import annotations

from pathlib import Path

from soc2iac.errors import InputError

MAX_FILE_BYTES = 20 * 1024 * 1024


def read_source(path: Path, shown: str, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """A config file as text; :class:`InputError` for unreadable, oversized, binary or non-UTF-8 files."""
    try:
        if path.stat().st_size > max_bytes:
            raise InputError(shown, f"larger than {max_bytes // (1024 * 1024)} MiB; skipped")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(shown, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(shown, f"not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise InputError(shown, "binary file (contains NUL bytes)")
    return text
