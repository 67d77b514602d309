"""One async adapter over the Elasticsearch and OpenSearch clients.

`SearchClient.connect(url)` asks the node what it is (GET /) and builds the
matching official client; every method hides the API differences between the
two (Elasticsearch 8/9 keyword arguments vs opensearch-py `body=`) and turns
client exceptions into `SearchUnavailable` / `SearchError`.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import elastic_transport
import elasticsearch
import opensearchpy
from opensearchpy import exceptions as os_errors

from search_engine.serializer import ElasticsearchOrjson, OpenSearchOrjson

OPENSEARCH = "opensearch"
ELASTICSEARCH = "elasticsearch"
# 429/502/503/504 are transient (overload, node restarting); anything else is an answer.
_RETRY_STATUSES = (429, 502, 503, 504)


class SearchError(RuntimeError):
    """The engine answered with an error (or the request was unusable)."""

    def __init__(self, message: str, status: int | None = None, error_type: str | None = None):
        super().__init__(message)
        self.status = status
        self.error_type = error_type

    @property
    def transient(self) -> bool:
        """Worth retrying as is: unreachable, overloaded or failing inside (no status, 429,
        5xx); any other status is the engine's answer to this request."""
        return self.status is None or self.status == 429 or self.status >= 500


class SearchUnavailable(SearchError):
    """The engine could not be reached or did not answer in time."""


class BulkError(SearchError):
    """Some items of a bulk request failed; `items` holds (id, status, reason) per failure."""

    def __init__(self, items: list[tuple[str, int, str]]):
        first = "; ".join(f"{doc_id}: {status} {reason}" for doc_id, status, reason in items[:3])
        super().__init__(f"{len(items)} bulk item(s) failed: {first}", status=None)
        self.items = items


class SearchClient:
    """Async adapter; build it with `await SearchClient.connect(url)`."""

    def __init__(self, raw: Any, engine: str, version: str):
        self._raw = raw
        self.engine = engine
        self.version = version
        self._es = engine == ELASTICSEARCH

    @classmethod
    async def connect(
        cls, url: str, *, request_timeout: float = 10.0, pool_size: int = 25
    ) -> SearchClient:
        """Detect the engine behind `url` and return a pooled client for it."""
        # opensearch-py sends plain JSON headers, which both engines accept, so it
        # doubles as the probe; it is kept when the node turns out to be OpenSearch.
        probe = opensearchpy.AsyncOpenSearch(
            hosts=[url],
            maxsize=pool_size,
            timeout=request_timeout,
            max_retries=3,
            retry_on_timeout=True,
            retry_on_status=_RETRY_STATUSES,
            serializer=OpenSearchOrjson(),
        )
        try:
            with _translate_errors():
                info = await probe.info()
        except BaseException:
            await probe.close()
            raise
        version = info.get("version", {})
        number = str(version.get("number", "?"))
        if version.get("distribution") == OPENSEARCH:
            return cls(probe, OPENSEARCH, number)
        await probe.close()
        _check_client_major(number)
        raw = elasticsearch.AsyncElasticsearch(
            url,
            connections_per_node=pool_size,
            request_timeout=request_timeout,
            max_retries=3,
            retry_on_timeout=True,
            retry_on_status=_RETRY_STATUSES,
            serializer=ElasticsearchOrjson(),  # also for the compatibility mimetypes
        )
        return cls(raw, ELASTICSEARCH, number)

    async def close(self) -> None:
        await self._raw.close()

    async def ping(self) -> bool:
        try:
            with _translate_errors():
                return bool(await self._raw.ping())
        except SearchError:
            return False

    async def health(self, indices: Sequence[str]) -> str:
        """green, yellow, or red (a primary shard unassigned or recovering, or no such index)."""
        try:
            with _translate_errors():
                health, names = self._raw.cluster.health, ",".join(indices)
                if self._es:
                    response = await health(index=names, timeout="0s")
                else:  # opensearch-py takes `timeout` as its own unless request_timeout is set
                    response = await health(index=names, timeout="0s", request_timeout=10)
        except SearchError as exc:
            if exc.status == 408:  # a missing index: "red", answered at once (timeout 0s)
                return "red"
            raise
        return str(_body(response)["status"])

    # -- documents -----------------------------------------------------------------

    async def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        with _translate_errors():
            return dict(_body(await self._raw.search(index=index, body=body)))

    async def count(self, index: str, body: dict[str, Any] | None = None) -> int:
        with _translate_errors():
            return int(_body(await self._raw.count(index=index, body=body))["count"])

    async def get(self, index: str, doc_id: str) -> dict[str, Any] | None:
        """The document's _source, or None when the document or the index is missing."""
        try:
            with _translate_errors():
                response = _body(await self._raw.get(index=index, id=doc_id))
        except SearchError as exc:
            if exc.status == 404:
                return None
            raise
        return response.get("_source") if response.get("found") else None

    async def mget(self, index: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """id → _source for the ids that exist."""
        if not ids:
            return {}
        with _translate_errors():
            if self._es:
                response = await self._raw.mget(index=index, ids=list(ids))
            else:
                response = await self._raw.mget(index=index, body={"ids": list(ids)})
        docs = _body(response)["docs"]
        return {doc["_id"]: doc["_source"] for doc in docs if doc.get("found")}

    async def bulk_index(
        self, index: str, docs: Sequence[tuple[str, Mapping[str, Any]]], refresh: bool = False
    ) -> None:
        """Index (create or replace) every doc in one bulk request; BulkError lists failures."""
        if not docs:
            if refresh:
                await self.refresh(index)
            return
        operations: list[Mapping[str, Any]] = []
        for doc_id, doc in docs:
            operations += [{"index": {"_index": index, "_id": doc_id}}, doc]
        extra = {"refresh": "true"} if refresh else {}
        with _translate_errors():
            if self._es:
                response = await self._raw.bulk(operations=operations, **extra)
            else:
                response = await self._raw.bulk(body=operations, **extra)
        response = _body(response)
        if response.get("errors"):
            raise BulkError(_bulk_failures(response["items"]))

    async def put_document(
        self, index: str, doc_id: str, doc: dict[str, Any], refresh: bool = False
    ) -> None:
        extra = {"refresh": "true"} if refresh else {}
        with _translate_errors():
            if self._es:
                await self._raw.index(index=index, id=doc_id, document=doc, **extra)
            else:
                await self._raw.index(index=index, id=doc_id, body=doc, **extra)

    async def delete_document(self, index: str, doc_id: str, refresh: bool = False) -> None:
        """Delete one document; a missing one (or index) is fine."""
        extra = {"refresh": "true"} if refresh else {}
        try:
            with _translate_errors():
                await self._raw.delete(index=index, id=doc_id, **extra)
        except SearchError as exc:
            if exc.status != 404:
                raise

    # -- indices and aliases -----------------------------------------------------------

    async def info(self) -> dict[str, Any]:
        """The engine's `GET /` answer (name, cluster, version)."""
        with _translate_errors():
            return dict(_body(await self._raw.info()))

    async def mapping(self, index: str) -> dict[str, Any]:
        """The index's mappings (`properties`, `_meta`, ...); SearchError 404 when missing."""
        with _translate_errors():
            response = _body(await self._raw.indices.get_mapping(index=index))
        return dict(response.get(index, {}).get("mappings", {}) or {})

    async def put_mapping(self, index: str, properties: dict[str, Any]) -> None:
        """Add fields to an index's mapping (additive: existing fields cannot change)."""
        with _translate_errors():
            await self._raw.indices.put_mapping(index=index, body={"properties": properties})

    async def put_settings(self, index: str, settings: dict[str, Any]) -> None:
        """Change dynamic index settings (e.g. `refresh_interval`); None restores a default."""
        with _translate_errors():
            await self._raw.indices.put_settings(index=index, body={"index": settings})

    async def refresh(self, index: str) -> None:
        with _translate_errors():
            await self._raw.indices.refresh(index=index)

    async def create_index(self, name: str, body: dict[str, Any]) -> None:
        with _translate_errors():
            await self._raw.indices.create(index=name, body=body)

    async def delete_index(self, name: str) -> None:
        """Delete an index; a missing one is fine."""
        try:
            with _translate_errors():
                await self._raw.indices.delete(index=name)
        except SearchError as exc:
            if exc.status != 404:
                raise

    async def index_exists(self, name: str) -> bool:
        with _translate_errors():
            return bool(await self._raw.indices.exists(index=name))

    async def indices(self, pattern: str) -> list[str]:
        """Names of the indices matching a wildcard pattern (sorted; empty when none)."""
        with _translate_errors():
            response = await self._raw.indices.get_alias(index=pattern)
        return sorted(_body(response))

    async def alias_targets(self, alias: str) -> list[str]:
        """The physical indices an alias points at (sorted; empty when the alias is missing)."""
        try:
            with _translate_errors():
                response = await self._raw.indices.get_alias(name=alias)
        except SearchError as exc:
            if exc.status == 404:
                return []
            raise
        return sorted(_body(response))

    async def swap_alias(self, alias: str, add: str, remove: Sequence[str]) -> None:
        """Point `alias` at `add` and away from `remove`, in one atomic _aliases call."""
        actions: list[dict[str, Any]] = [
            {"remove": {"index": old, "alias": alias}} for old in remove if old != add
        ]
        actions.append({"add": {"index": add, "alias": alias}})
        with _translate_errors():
            if self._es:
                await self._raw.indices.update_aliases(actions=actions)
            else:
                await self._raw.indices.update_aliases(body={"actions": actions})


def _check_client_major(server_version: str) -> None:
    """The Elasticsearch client refuses servers of another major (compatibility headers)."""
    installed = importlib.metadata.version("elasticsearch")
    client_major = installed.split(".")[0]
    server_major = server_version.split(".")[0]
    if server_major != client_major:
        raise SearchError(
            f"Elasticsearch {server_version} needs the elasticsearch Python client "
            f"{server_major}.x, but {installed} is installed "
            f"(pip install 'elasticsearch[async]>={server_major},<{int(server_major) + 1}' "
            "if that is the server you want)"
        )


def _body(response: Any) -> Any:
    """Elasticsearch returns ObjectApiResponse; opensearch-py returns the dict itself."""
    return getattr(response, "body", response)


def _bulk_failures(items: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    failures = []
    for item in items:
        result = next(iter(item.values()))
        if "error" in result:
            failures.append(
                (str(result.get("_id")), int(result.get("status", 0)), _reason(result["error"]))
            )
    return failures


def _reason(error: Any) -> str:
    if isinstance(error, dict):
        return f"{error.get('type', 'error')}: {error.get('reason', '')}".strip()
    return str(error)


def _error_type(body: Any) -> str | None:
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return error.get("type")
        if isinstance(error, str):
            return error
    return None


@contextmanager
def _translate_errors() -> Iterator[None]:
    """Map both clients' exceptions onto SearchUnavailable / SearchError."""
    try:
        yield
    except (
        elastic_transport.ConnectionError,
        elastic_transport.ConnectionTimeout,
        os_errors.ConnectionError,
    ) as exc:
        raise SearchUnavailable(f"search engine unreachable: {exc}") from exc
    except elasticsearch.ApiError as exc:
        raise _api_error(exc.meta.status, exc.body, str(exc)) from exc
    except os_errors.TransportError as exc:
        status = exc.status_code if isinstance(exc.status_code, int) else None
        raise _api_error(status, exc.info, str(exc)) from exc
    except (elastic_transport.TransportError, os_errors.OpenSearchException) as exc:
        raise SearchError(f"search engine error: {exc}") from exc


def _api_error(status: int | None, body: Any, text: str) -> SearchError:
    kind = SearchUnavailable if status in _RETRY_STATUSES else SearchError
    return kind(text, status=status, error_type=_error_type(body))
