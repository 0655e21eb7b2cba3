"""Keyset pagination by NIP: an opaque cursor that neither skips nor repeats rows while others write."""

from __future__ import annotations

import base64
import binascii

from bakat_common.errors import InvalidInput


def decode_nip_cursor(cursor: str | None) -> str | None:
    """The NIP a page continues after; 422 (query.cursor) for a cursor this API did not give out."""
    if cursor is None:
        return None
    try:
        nip = base64.urlsafe_b64decode(cursor.encode() + b"==").decode()
    except (binascii.Error, UnicodeDecodeError):
        nip = ""
    if not nip.isdigit():
        raise InvalidInput("query.cursor", "cursor", "cursor is not one this API gave out")
    return nip


def encode_nip_cursor(nip: str) -> str:
    return base64.urlsafe_b64encode(nip.encode()).decode().rstrip("=")
