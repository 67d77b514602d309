"""Zero-downtime rebuild (docs/ARCHITECTURE.md, invariant 10): fill a new physical index, catch up,
swap the alias.

1. Create `<prefix>-v<version>-<time>` with the view's current index body, no
   replicas and no refresh while loading. Its progress document (named after it,
   like every index's) holds the build's state, so `--resume` knows where it was.
2. Load: note the log's horizon H (every event up to it has committed), then write
   every order from the write tables in id order, in large bulk chunks. Documents
   are snapshots of current rows, so each one reflects at least H. The last loaded
   id is saved after every chunk.
3. Catch up: a projector pinned to the new index replays the events after H; an
   order changed after its chunk was read is rewritten from current rows. Replicas
   and refresh are restored.
4. Swap: the rebuild claims leadership of the projection. The live projector steps
   aside between two batches (standbys wait), so nobody writes the old index any
   more and its checkpoint C is final. The new index catches up to at least C, the
   alias moves in one atomic `_aliases` call, the old index's dead letters are
   dropped and leadership is released. The live projector takes it back and, as on
   every (re)gain of leadership, resolves the alias and continues from the new
   index's own checkpoint: no event is lost. The old index is deleted after a short
   grace period for searches already running on it.

Until the swap the live projector keeps the old index current and queries read it;
after the swap they read the complete new one. The alias never points at a
half-built index. An interrupted build is continued with `orders rebuild --resume`
or deleted with `orders rebuild --discard`; one rebuild runs at a time (a lease).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from tqdm import tqdm

from positions import ORIGIN, Position
from projections import dead_letters, source
from projections.leadership import Leadership
from projections.leadership_backends import LeaseLeadership
from projections.projector import Projector
from projections.rebuild_state import (
    CATCHING_UP,
    LOADING,
    Build,
    BuildState,
    RebuildError,
    RebuildReport,
    build_state,
    take_chunks,
)
from projections.registry import ORDERS, Documents, Projection
from projections.retry import retrying
from projections.writer import IndexWriter
from read_model import names
from read_model.indices import ensure_index, new_index_body, new_index_name
from read_model.progress import index_progress, publish_progress
from search_engine.client import SearchClient

log = logging.getLogger(__name__)

LOAD_CHUNK = 2000  # orders per bulk request while loading
LOAD_PARALLEL = 2  # bulk requests in flight while loading
CATCH_UP_BATCH = 2000  # events per batch while catching up
CATCH_UP_PASSES = 5  # before the swap; the swap's own pass pauses the live projector
SWAP_GRACE = 2.0  # seconds a replaced index lives on for searches already running on it
_LOAD_SETTINGS = {"number_of_replicas": 0, "auto_expand_replicas": False, "refresh_interval": "-1"}
_RESTORED = ("number_of_replicas", "auto_expand_replicas", "refresh_interval")


class Rebuild:
    """`await Rebuild(...).run()`; see the module docstring for the steps."""

    def __init__(
        self,
        engine: AsyncEngine,
        search: SearchClient,
        prefix: str,
        *,
        progress: bool = True,
        load_chunk: int = LOAD_CHUNK,
        parallel: int = LOAD_PARALLEL,
        catch_up_batch: int = CATCH_UP_BATCH,
        swap_grace: float = SWAP_GRACE,
        claim_timeout: float = 120.0,
        on_chunk: Callable[[int], Any] | None = None,
        projection: Projection = ORDERS,
    ) -> None:
        """`prefix` is the projection's own (`Projection.prefix`)."""
        self.engine = engine
        self.search = search
        self.prefix = prefix
        self.progress = progress
        self.load_chunk = load_chunk
        self.parallel = parallel
        self.catch_up_batch = catch_up_batch
        self.swap_grace = swap_grace
        self.claim_timeout = claim_timeout
        self.on_chunk = on_chunk  # test hook: called with the chunk number after each chunk
        self._lease = LeaseLeadership(engine, f"{prefix}:rebuild", role="rebuild", ttl=30.0)
        self.projection = projection
        self.view = projection.view
        self._writer = IndexWriter(engine, search, prefix)

    async def run(self, resume: bool = False) -> RebuildReport:
        started = time.monotonic()
        async with self._exclusive():
            await ensure_index(self.search, self.prefix, self.view)
            builds, leftovers = await self.survey()
            await self._delete(leftovers, "left over from an earlier rebuild")
            build = await self._choose(builds, resume)
            report = RebuildReport(build.index, [], noun=self.view.noun)
            if build.phase == LOADING:
                await self._load(build, report)
            await self._catch_up(build, report)
            await self._restore_settings(build.index)
            await self._swap(build, report)
        report.seconds = time.monotonic() - started
        return report

    async def discard(self) -> list[str]:
        """Delete unfinished builds and leftovers; the alias' index is never touched."""
        async with self._exclusive():
            builds, leftovers = await self.survey()
            doomed = [b.index for b in builds] + leftovers
            await self._delete(doomed, "discarded")
            return doomed

    # -- phases --------------------------------------------------------------------------

    async def _choose(self, builds: list[Build], resume: bool) -> Build:
        if builds and not resume:
            raise RebuildError(
                f"an unfinished rebuild exists: {builds[-1].describe()}; run "
                "`orders rebuild --resume` to continue it or `orders rebuild --discard`"
            )
        if builds:
            build = builds[-1]
            if build.state["mapping_digest"] != self.view.meta()["mapping_digest"]:
                raise RebuildError(
                    f"{build.index} was started with another mapping than the code's: "
                    "run `orders rebuild --discard`, then `orders rebuild`"
                )
            await self._delete([b.index for b in builds[:-1]], "superseded")
            log.info("resuming %s", build.describe())
            return build
        return await self._start()

    async def _start(self) -> Build:
        name = new_index_name(self.prefix, self.view)
        body = new_index_body(self.view)
        body["settings"] = {**body["settings"], **_LOAD_SETTINGS}
        await self.search.create_index(name, body)
        async with self.engine.connect() as conn:
            horizon = await source.horizon(conn)
            total = await self.projection.count(conn)
        state = BuildState(
            phase=LOADING,
            horizon=list(horizon),
            after="",
            loaded=0,
            total=total,
            started=datetime.now(UTC).isoformat(timespec="seconds"),
            mapping_digest=self.view.meta()["mapping_digest"],
        )
        build = Build(name, state, self.view.noun)
        await self._save(build)
        log.info(
            "rebuilding into %s from horizon %s (%d %s)",
            name,
            tuple(horizon),
            total,
            self.view.noun,
        )
        return build

    async def _load(self, build: Build, report: RebuildReport) -> None:
        """Every order, in id-ordered chunks: the next chunks are read while `parallel` bulk
        requests are written (a single-shard bulk uses one engine thread)."""
        started = time.monotonic()
        state = build.state
        bar = self._bar(state["total"], state["loaded"], self.view.noun, f"loading {build.index}")
        queue: asyncio.Queue[Documents | None] = asyncio.Queue(maxsize=self.parallel + 1)
        reader = asyncio.create_task(self._read_chunks(state["after"], queue))
        try:
            chunk_no = 0
            while chunks := await take_chunks(queue, self.parallel):
                rejected = await asyncio.gather(*(self._bulk(build.index, c) for c in chunks))
                for found in rejected:
                    await self._writer.park(build.index, found, build.horizon)
                    report.dead_letters += len(found)
                # Chunks are consecutive id ranges, all written now: resume after the last.
                state["after"] = max(chunks[-1])
                state["loaded"] += sum(len(c) for c in chunks)
                await self._save(build)
                bar.update(sum(len(c) for c in chunks))
                chunk_no += len(chunks)
                if self.on_chunk is not None:
                    await self.on_chunk(chunk_no)
            await reader
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
            bar.close()
        state["phase"] = CATCHING_UP
        await self._save(build, checkpoint=build.horizon)
        report.orders = state["loaded"]
        report.load_seconds = time.monotonic() - started
        log.info("loaded %d %s in %.1f s", report.orders, self.view.noun, report.load_seconds)

    async def _read_chunks(self, after: str, queue: asyncio.Queue[Documents | None]) -> None:
        while True:
            async with self.engine.connect() as conn:
                documents = await self.projection.load_after(conn, after, self.load_chunk)
            if not documents:
                break
            await queue.put(documents)
            after = max(documents)
        await queue.put(None)

    async def _catch_up(self, build: Build, report: RebuildReport) -> None:
        """Replay the events after the horizon. Each pass chases the log's horizon as of its
        start (writers never outrun a fixed target); passes repeat while much arrived
        meanwhile, so the swap's pause stays short."""
        projector = self._projector(build)
        for _ in range(CATCH_UP_PASSES):
            checkpoint = await index_progress(self.search, self.prefix, build.index)
            async with self.engine.connect() as conn:
                target = await source.horizon(conn)
                behind = await source.count_after(conn, checkpoint)
            if behind <= self.catch_up_batch:
                break
            log.info("catching up %d events (to %s)", behind, tuple(target))
            bar = self._bar(behind, 0, "events", f"catching up {build.index}")
            try:
                await self._replay_until(projector, target, report, bar)
            finally:
                bar.close()

    async def _replay_until(
        self,
        projector: Projector,
        target: Position,
        report: RebuildReport,
        bar: tqdm[Any] | None = None,
    ) -> None:
        """Step until the checkpoint reaches `target`, a final position (always readable)."""
        while projector.checkpoint is None or projector.checkpoint < target:
            n = await retrying(projector.step, "rebuild catch-up")
            report.caught_up_events += n
            if bar is not None:
                bar.update(n)
            if n == 0:  # nothing left to read at all
                break

    async def _swap(self, build: Build, report: RebuildReport) -> None:
        projection = Leadership.for_engine(self.engine, self.prefix, role="rebuild")
        try:
            await self._swap_as_leader(projection, build, report)
        finally:
            await projection.close()
        log.info("alias %s now points at %s", names.alias(self.prefix), build.index)
        await asyncio.sleep(self.swap_grace)
        await self._delete(report.replaced, "replaced by the rebuild")

    async def _swap_as_leader(
        self, projection: Leadership, build: Build, report: RebuildReport
    ) -> None:
        log.info("asking the live projector to step aside for the swap")
        async with projection.exclusive(self.claim_timeout):
            old = await self.search.alias_targets(names.alias(self.prefix))
            final = ORIGIN
            for index in old:
                final = max(final, await index_progress(self.search, self.prefix, index))
            projector = self._projector(build, leadership=projection)
            # The old index is frozen now: reach its checkpoint and the log's horizon.
            async with self.engine.connect() as conn:
                target = max(final, await source.horizon(conn))
            await self._replay_until(projector, target, report)
            await self.search.refresh(build.index)
            await self.search.swap_alias(names.alias(self.prefix), build.index, old)
            report.replaced = [i for i in old if i != build.index]
            # Its progress document loses the build state: it is the live index now.
            reached = projector.checkpoint or ORIGIN
            await publish_progress(self.search, self.prefix, reached, build.index)
            await dead_letters.drop_other_indices(self.engine, self.prefix, build.index)
            async with self.engine.connect() as conn:
                everything = await source.count_after(conn, ORIGIN)
                report.events = everything - await source.count_after(conn, reached)

    # -- helpers -------------------------------------------------------------------------

    def _projector(self, build: Build, leadership: Leadership | None = None) -> Projector:
        """A projector pinned to the build's index, publishing the build's state with
        each checkpoint; during the swap it writes as the projection's leader."""
        return Projector(
            self.engine,
            self.search,
            self.prefix,
            batch_size=self.catch_up_batch,
            index=build.index,
            leadership=leadership,
            refresh=False,  # nobody searches it before the swap, which refreshes it
            state=build.state,
            projection=self.projection,
        )

    async def _bulk(self, index: str, documents: Documents) -> dict[str, str]:
        """Write one load chunk; permanent rejections are returned, the rest retried."""

        async def write() -> dict[str, str]:
            return (await self._writer.write(index, documents)).rejected

        return await retrying(write, "rebuild load")

    async def _restore_settings(self, index: str) -> None:
        wanted = self.view.body()["settings"]
        restored = {key: wanted.get(key) for key in _RESTORED}  # None: the engine's default
        await self.search.put_settings(index, restored)
        await self.search.refresh(index)

    async def _save(self, build: Build, checkpoint: Position = ORIGIN) -> None:
        await publish_progress(
            self.search, self.prefix, checkpoint, index=build.index, state=build.state
        )

    async def survey(self) -> tuple[list[Build], list[str]]:
        """Unfinished builds (oldest first) and other indices no alias points at."""
        live = set(await self.search.alias_targets(names.alias(self.prefix)))
        builds, leftovers = [], []
        for index in await self.search.indices(f"{self.prefix}-v*"):
            if index in live:
                continue
            doc = await self.search.get(names.progress_index(self.prefix), index)
            state = build_state((doc or {}).get("state"))
            if state is not None:
                builds.append(Build(index, state, self.view.noun))
            else:
                leftovers.append(index)
        return builds, leftovers

    async def _delete(self, indices: list[str], why: str) -> None:
        live = set(await self.search.alias_targets(names.alias(self.prefix)))
        for index in indices:
            if index in live:  # never the alias' index, whatever the caller thought
                continue
            log.info("deleting %s (%s)", index, why)
            await self.search.delete_index(index)
            progress = names.progress_index(self.prefix)
            await self.search.delete_document(progress, index, refresh=True)

    @contextlib.asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        """One rebuild (or discard) at a time, across processes: a lease kept alive."""
        if not await self._lease.acquire():
            holder = await self._lease.active_instance()
            raise RebuildError(f"another rebuild is running ({holder}); wait for it to finish")
        heartbeat = asyncio.create_task(self._keep_lease())
        try:
            yield
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            await self._lease.release()

    async def _keep_lease(self) -> None:
        while True:
            await asyncio.sleep(self._lease.check_interval)
            with contextlib.suppress(Exception):
                await self._lease.keep()

    def _bar(self, total: int, initial: int, unit: str, description: str) -> tqdm[Any]:
        return tqdm(
            total=total,
            initial=initial,
            unit=f" {unit}",
            desc=description,
            disable=not self.progress,
            dynamic_ncols=True,
        )
