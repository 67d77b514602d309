"""Rebuild rate on a real database and search engine: `python -m benchmarks.rebuild`.

Fill a dedicated database first, through the real command path, e.g. (about 100,000 events)

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:55432/rebuild_bench orders migrate
    DATABASE_URL=... orders seed --orders 26000 --concurrency 8 --processes 2

then run this with the same DATABASE_URL, SEARCH_URL and INDEX_PREFIX. It projects the log
once if the alias' index is behind (a first build), runs `orders rebuild` with its progress
bar, prints the rates and checks a sample of documents against the write tables.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

from sqlalchemy.ext.asyncio import AsyncEngine

from database.engine import create_engine
from positions import ORIGIN
from projections import source
from projections.projector import Projector
from projections.rebuild import Rebuild
from read_model.indices import ensure_index
from read_model.names import alias
from read_model.stamps import STAMP
from search_engine.client import SearchClient
from settings import load_settings


async def main(chunk: int, parallel: int, sample: int) -> None:
    settings = load_settings()
    assert settings.search_url, "set SEARCH_URL"
    engine = create_engine(settings.database_url)
    search = await SearchClient.connect(settings.search_url, request_timeout=60)
    prefix = settings.index_prefix
    try:
        await ensure_index(search, prefix)
        async with engine.connect() as conn:
            events = await source.count_after(conn, ORIGIN)
            orders = await source.count_orders(conn)
        print(f"{events} events, {orders} orders in {settings.database_url.rsplit('/', 1)[-1]}")
        started = time.monotonic()
        projected = await Projector(engine, search, prefix, batch_size=2000).run_until_caught_up()
        if projected:
            seconds = time.monotonic() - started
            print(
                f"live projector: {projected} events in {seconds:.1f} s "
                f"({projected / seconds:.0f} events/s)"
            )
        report = await Rebuild(engine, search, prefix, load_chunk=chunk, parallel=parallel).run()
        print(report.summary())
        load_rate = report.orders / max(report.load_seconds, 1e-9)
        print(f"load phase alone: {load_rate:.0f} orders/s")
        await check_sample(engine, search, prefix, sample)
    finally:
        await search.close()
        await engine.dispose()


async def check_sample(engine: AsyncEngine, search: SearchClient, prefix: str, size: int) -> None:
    """A random sample of documents equals what the write tables say."""
    async with engine.connect() as conn:
        ids = await source.all_order_ids(conn)
        picked = random.Random(1).sample(ids, min(size, len(ids)))
        expected = await source.load_documents(conn, picked)
    found = await search.mget(alias(prefix), picked)
    for doc in found.values():
        doc.pop(STAMP, None)  # the projector's batch stamp is bookkeeping, not the document
    differing = [i for i in picked if found.get(i) != expected[i]]
    indexed = await search.count(alias(prefix))
    print(
        f"index holds {indexed} of {len(ids)} orders; {len(picked) - len(differing)} of "
        f"{len(picked)} sampled documents equal the write tables"
    )
    assert indexed == len(ids) and not differing, differing[:5]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunk", type=int, default=2000, help="orders per bulk request")
    parser.add_argument("--parallel", type=int, default=2, help="bulk requests in flight")
    parser.add_argument("--sample", type=int, default=2000, help="documents to compare")
    args = parser.parse_args()
    asyncio.run(main(args.chunk, args.parallel, args.sample))
