"""Both cores for the two slow stages (parsing pages, formatting files), in one set of worker
processes shared by the run. Results come back in input order, so output never depends on
which worker finished first."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def worker_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class Workers:
    """Worker processes, started on first use and kept until close(). One pool serves both
    stages: started once, and early, while the parent's heap is small. A forked worker that
    inherited the parent's objects walks them (and so copies their memory pages) at every
    garbage collection, which cost about 8% of formatting time before this."""

    def __init__(self) -> None:
        self.count = worker_count()
        self._pool: ProcessPoolExecutor | None = None

    @property
    def parallel(self) -> bool:
        return self.count >= 2

    @property
    def running(self) -> bool:
        """Whether the worker processes are started (sending them work costs no start-up)."""
        return self._pool is not None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # fork: workers start with docgen already imported (where the platform has it).
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            # initializer: the parent may have paused its collector (pipeline.generate); black
            # makes cyclic garbage, so the workers collect as usual
            self._pool = ProcessPoolExecutor(max_workers=self.count, mp_context=context, initializer=gc.enable)
            # The first submit forks every worker; what the parent holds then stays frozen in
            # them (never walked by their collector). The parent unfreezes at once.
            gc.freeze()
            try:
                self._pool.submit(int).result()
            finally:
                gc.unfreeze()
        return self._pool

    def map(self, func: Callable[[T], R], items: Sequence[T], *, min_items: int = 32) -> Iterator[R]:
        """func over items, in the workers when there are enough items to pay for them."""
        if not self.parallel or len(items) < min_items:
            yield from map(func, items)
            return
        chunk = max(1, min(64, len(items) // (self.count * 8)))
        yield from self._executor().map(func, items, chunksize=chunk)

    def submit(self, func: Callable[[T], R], item: T) -> Future[R]:
        """func(item) in a worker (or here, at once, on one core)."""
        return self._executor().submit(func, item) if self.parallel else self.inline(func, item)

    def prepare(self, func: Callable[[], object]) -> None:
        """Run func once in each running worker (a slow import, say) while they would idle;
        nothing when no worker is running."""
        if self._pool is not None:
            for _ in range(self.count):
                self._pool.submit(func)

    @staticmethod
    def inline(func: Callable[[T], R], item: T) -> Future[R]:
        """func(item) here and now, as a finished Future."""
        future: Future[R] = Future()
        future.set_result(func(item))
        return future

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
