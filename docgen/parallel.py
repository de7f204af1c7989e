"""Both cores for the two slow stages (parsing pages, formatting files). Results come back
in input order, so output never depends on which worker finished first."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def map_ordered(func: Callable[[T], R], items: Sequence[T], *, min_items: int = 32) -> Iterator[R]:
    """func over items, in processes when there are enough items to pay for them."""
    count = workers()
    if count < 2 or len(items) < min_items:
        yield from map(func, items)
        return
    # fork: workers start with docgen already imported (where the platform has it).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunk = max(1, min(64, len(items) // (count * 8)))
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        yield from pool.map(func, items, chunksize=chunk)
