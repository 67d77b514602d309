"""The change stamp: each document carries the position of the batch that wrote it.

The projector stamps every document it writes (`projectedAt`); the live-update feed finds
the changes between two published positions by that stamp (queries/change_stamps.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from positions import Position
from read_model.document import Stamp

STAMP = "projectedAt"  # {txid, seq}: the position of the batch that wrote the document


def stamped(
    documents: Mapping[str, Mapping[str, Any]], position: Position
) -> dict[str, dict[str, Any]]:
    """The documents (of any view) with the stamp of the batch that writes them."""
    stamp = Stamp(txid=position.txid, seq=position.seq)
    return {key: {**doc, STAMP: stamp} for key, doc in documents.items()}
