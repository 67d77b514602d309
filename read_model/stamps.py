"""The change stamp: each document carries the position of the batch that wrote it.

The projector stamps every document it writes (`projectedAt`); the live-update feed finds
the changes between two published positions by that stamp (queries/change_stamps.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from positions import Position
from read_model.document import OrderDocument, Stamp

STAMP = "projectedAt"  # {txid, seq}: the position of the batch that wrote the document


def stamped(documents: Mapping[str, OrderDocument], position: Position) -> dict[str, OrderDocument]:
    """The documents with the stamp of the batch that writes them."""
    stamp = Stamp(txid=position.txid, seq=position.seq)
    return {key: {**doc, "projectedAt": stamp} for key, doc in documents.items()}
