"""Requests as bytes on the wire: values JSON cannot say (NaN, 1e309, -0) and GraphQL literals.

`Raw` text goes out verbatim, so a test can send `1e309` or `NaN` where a client library
would refuse or round it; `Enum` is a bare name in a literal and a string in JSON.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import httpx

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Raw:
    """Text sent as it is: a JSON number or a GraphQL literal no encoder would produce."""

    text: str

    def __repr__(self) -> str:  # short: Hypothesis prints the failing example
        return f"Raw({self.text[:40]!r}{'...' if len(self.text) > 40 else ''})"


class Long(str):
    """A long string that prints short in Hypothesis' reports."""

    def __repr__(self) -> str:
        return f"Long({len(self)} chars: {str(self[:12])!r}...)"


class Many(list[Any]):
    """A long list that prints short in Hypothesis' reports."""

    def __repr__(self) -> str:
        return f"Many({len(self)} x {self[0]!r})" if self else "Many()"


@dataclass(frozen=True)
class Enum:
    name: str


def to_json(value: Any) -> str:
    """JSON text; strings with ensure_ascii, so a lone surrogate goes out as `\\ud800`."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Enum):
        return json.dumps(value.name)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(to_json(item) for item in value) + "]"
    return json.dumps(value)  # floats: NaN and Infinity as Python writes them


def to_literal(value: Any) -> str:
    """A GraphQL input literal; JSON string escapes are GraphQL's, so strings reuse them."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {to_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(to_literal(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)  # ints; floats as Python writes them (inf, nan become names)


def escape_surrogates(document: str) -> str:
    """Lone surrogates in a printed document as GraphQL `\\uXXXX` escapes (inside strings)."""
    return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", document)


def post(api: httpx.Client, query: str, variables: Any = None) -> httpx.Response:
    """POST /graphql with the body written by hand (see `to_json`), as `api` would send it."""
    body = '{"query":' + json.dumps(query)
    if variables is not None:
        body += ',"variables":' + (
            variables.text if isinstance(variables, Raw) else to_json(variables)
        )
    return api.post(
        "/graphql", content=(body + "}").encode(), headers={"content-type": "application/json"}
    )
