"""Positions in the event log and the opaque consistency token built from them.

The projector reads events in (txid, seq) order: on PostgreSQL `txid` is the
writing transaction's id and only transactions older than every running one
are read, so a slow transaction holding a low `seq` is never skipped. On
SQLite (one writer at a time) `txid` is 0 and `seq` alone orders the log.
"""

from __future__ import annotations

import base64
import binascii
from typing import NamedTuple


class Position(NamedTuple):
    txid: int
    seq: int


ORIGIN = Position(0, 0)


def encode_token(position: Position) -> str:
    raw = f"{position.txid}:{position.seq}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> Position:
    """Parse a token made by `encode_token`; ValueError for anything else."""
    try:
        padded = token + "=" * (-len(token) % 4)
        txid, seq = base64.urlsafe_b64decode(padded.encode()).decode().split(":")
        position = Position(int(txid), int(seq))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValueError(f"not a position token: {token[:40]!r}") from None
    if position.txid < 0 or position.seq < 0:
        raise ValueError(f"not a position token: {token[:40]!r}")
    return position
