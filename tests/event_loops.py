"""Running a coroutine from a test. The browser tests' sync Playwright keeps an event loop
running in the main thread for the rest of the session, and `asyncio.run`/`anyio.run` refuse
to start inside a running loop: a test that ran after a browser test on the same worker failed
with "Already running asyncio in this thread". So a test runs its coroutine in a thread of its
own, whatever ran before it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import anyio

T = TypeVar("T")


def run_async(func: Callable[..., Awaitable[T]], *args: Any) -> T:
    """`anyio.run(func, *args)` in a new thread, its result or its exception returned here."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-loop") as pool:
        return pool.submit(anyio.run, func, *args).result()
