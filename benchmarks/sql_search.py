"""The single-model alternative's search: the faceted text search as SQL on the write tables.

What a team without a read model would write, given a fair chance: every word must match
some field (customer name or email, city, postal code, order id, tracking number, product
name, SKU or category) by `ILIKE '%word%'`, each field backed by a pg_trgm GIN index
(`INDEXES`), each word's matches a UNION of index scans and the words INTERSECTed; then, in
the same statement, the exact count, the five facets with GROUP BY (status ignoring the
status filter, like the service's disjunctive facets) and the newest `first + 1` orders
with their customer and lines as JSON. Highlights are marked up in Python. There is no
typo tolerance, accent folding or relevance ranking: the service has all three.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from typing import Any

import asyncpg

INDEXES = {
    "alt_customers_name_trgm": "customers USING gin (name gin_trgm_ops)",
    "alt_customers_email_trgm": "customers USING gin (email gin_trgm_ops)",
    "alt_orders_city_trgm": "orders USING gin (ship_city gin_trgm_ops)",
    "alt_orders_postal_trgm": "orders USING gin (ship_postal_code gin_trgm_ops)",
    "alt_orders_id_trgm": "orders USING gin (id gin_trgm_ops)",
    "alt_orders_tracking_trgm": "orders USING gin (tracking_number gin_trgm_ops)",
}
TOTAL_RANGES = ("0-25", "25-100", "100-500", "500+")
MAX_WORDS = 8


async def create_indexes(conn: asyncpg.Connection) -> None:
    await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, target in INDEXES.items():
        await conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
    await conn.execute("ANALYZE")


async def drop_indexes(conn: asyncpg.Connection) -> None:
    for name in INDEXES:
        await conn.execute(f"DROP INDEX IF EXISTS {name}")


def _word_matches(param: str) -> str:
    """Order ids with some field matching the pattern `param`, each part index-backed."""
    return f"""
      SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id
        WHERE c.name ILIKE {param} OR c.email ILIKE {param}
      UNION SELECT id FROM orders WHERE ship_city ILIKE {param}
      UNION SELECT id FROM orders WHERE ship_postal_code ILIKE {param}
      UNION SELECT id FROM orders WHERE id ILIKE {param}
      UNION SELECT id FROM orders WHERE tracking_number ILIKE {param}
      UNION SELECT l.order_id FROM order_lines l JOIN products p ON p.id = l.product_id
        WHERE p.name ILIKE {param} OR p.sku ILIKE {param} OR p.category ILIKE {param}"""


def _facet(
    select: str, source: str, order: str = "x.count DESC, x.value", count: str = "count(*)"
) -> str:
    return (
        f"(SELECT coalesce(json_agg(x ORDER BY {order}), '[]') FROM "
        f"(SELECT {select} AS value, {count} AS count FROM {source} GROUP BY 1) x)"
    )


@lru_cache(maxsize=MAX_WORDS + 1)
def statement(words: int) -> str:
    """The search for `words` words: $1..$n patterns, then statuses (or NULL), then a limit."""
    status, limit = f"${words + 1}::text[]", f"${words + 2}::int"
    if words:
        matched = " INTERSECT ".join(f"({_word_matches(f'${n}')})" for n in range(1, words + 1))
        where = f"WHERE o.id IN ({matched})"
    else:
        where = ""
    ranges = ", ".join(f"'{r}'" for r in TOTAL_RANGES)
    bucket = (
        "CASE WHEN total < 25 THEN '0-25' WHEN total < 100 THEN '25-100' "
        "WHEN total < 500 THEN '100-500' ELSE '500+' END"
    )
    return f"""
WITH m AS MATERIALIZED (
  SELECT o.id, o.status, o.ship_country, o.placed_at, o.total FROM orders o {where}
), f AS (SELECT * FROM m WHERE {status} IS NULL OR m.status = ANY({status}))
SELECT
  (SELECT count(*) FROM f) AS total_count,
  {_facet("status", "m")} AS status,
  {_facet("ship_country", "f")} AS country,
  {_facet("p.category", "f JOIN order_lines l ON l.order_id = f.id "
          "JOIN products p ON p.id = l.product_id WHERE p.category IS NOT NULL",
          count="count(DISTINCT f.id)")} AS category,
  {_facet("to_char(placed_at AT TIME ZONE 'UTC', 'YYYY-MM')", "f", "x.value")} AS placed_month,
  {_facet(bucket, "f", f"array_position(ARRAY[{ranges}], x.value)")} AS total_range,
  (SELECT coalesce(json_agg(page ORDER BY page.placed_at DESC, page.id), '[]') FROM (
     SELECT o.id, o.status, o.placed_at, o.total, o.currency, c.name, c.email,
            o.ship_city, o.ship_postal_code, o.ship_country,
            (SELECT json_agg(json_build_object('sku', p.sku, 'name', p.name,
                                               'quantity', l.quantity) ORDER BY l.line_no)
               FROM order_lines l JOIN products p ON p.id = l.product_id
              WHERE l.order_id = o.id) AS lines
       FROM f JOIN orders o ON o.id = f.id JOIN customers c ON c.id = o.customer_id
      ORDER BY f.placed_at DESC, f.id LIMIT {limit}) page) AS page
"""  # fmt: skip


def words_of(text: str | None) -> list[str]:
    return [w for w in (text or "").split() if w][:MAX_WORDS]


def pattern(word: str) -> str:
    escaped = re.sub(r"([\\%_])", r"\\\1", word)
    return f"%{escaped}%"


async def search(
    conn: asyncpg.Connection, text: str | None, statuses: list[str] | None, first: int
) -> dict[str, Any]:
    """totalCount, facets (value/count lists) and `first + 1` page rows, as plain data."""
    words = words_of(text)
    row = await conn.fetchrow(
        statement(len(words)), *[pattern(w) for w in words], statuses or None, first + 1
    )
    assert row is not None
    found: dict[str, Any] = {k: json.loads(v) for k, v in row.items() if k != "total_count"}
    found["total_count"] = int(row["total_count"])
    return found


def highlights(words: list[str], fields: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """Per field path, its values with each matched word in <em>, HTML-escaped."""
    found = []
    for path, values in fields.items():
        fragments = [marked for v in values if (marked := _mark(v, words)) is not None]
        if fragments:
            found.append((path, fragments))
    return found


def _mark(value: str, words: list[str]) -> str | None:
    spans = []
    lowered = value.lower()
    for word in words:
        at = lowered.find(word.lower())
        if at >= 0:
            spans.append((at, at + len(word)))
    if not spans:
        return None
    out, position = [], 0
    for start, end in sorted(spans):
        if start < position:
            continue
        out += [html.escape(value[position:start]), "<em>", html.escape(value[start:end]), "</em>"]
        position = end
    out.append(html.escape(value[position:]))
    return "".join(out)
