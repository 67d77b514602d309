"""orjson for every request and response body the search clients encode and decode."""

from __future__ import annotations

from typing import Any

import orjson
from elasticsearch.serializer import OrjsonSerializer as ElasticsearchOrjson
from opensearchpy import JSONSerializer

__all__ = ["ElasticsearchOrjson", "OpenSearchOrjson"]


class OpenSearchOrjson(JSONSerializer):
    """opensearch-py's JSON serializer (same fallbacks for dates, UUIDs, Decimal), on orjson."""

    def loads(self, s: str | bytes) -> Any:
        return orjson.loads(s)

    def dumps(self, data: Any) -> str:
        if isinstance(data, str | bytes):
            return data if isinstance(data, str) else data.decode()
        return orjson.dumps(data, default=self.default).decode()
