"""A second process for work done beside: ``with worker(warm) as pool: pool.submit(...)``.

The class report works out every sentence's agreement, with numpy, while it lays
out 60,000 notes: the second core does the one while the first does the other.
The worker is forked at once, while this process is still small (forked later,
with a class in memory, the pages both processes touch are copied, which costs
about what the work saves), and ``warm`` runs in it straight away: numpy loads
there while the class file is read here. A task's arguments and result travel
pickled, so they should be small.

Where forking is unsafe or unavailable (Windows; a process running other threads,
such as the class server), or on one core, each task runs here, when it is submitted.

>>> with worker() as pool:
...     pool.submit(sum, range(10)).result()
45
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, ParamSpec, TypeVar

__all__ = ["HERE", "forkable", "worker"]

P = ParamSpec("P")
T = TypeVar("T")


def forkable() -> bool:
    """Whether a forked child can start here: ``fork`` exists and no other thread runs.

    A thread holding a lock at the fork leaves that lock held forever in the child.
    """
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class _Here(Executor):
    """Runs each task in this process, as it is submitted."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        done: Future[T] = Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except Exception as err:  # the caller sees it from result(), as from a process
            done.set_exception(err)
        return done


HERE: Executor = _Here()
"""The executor of a process that has no worker beside it."""


def _nothing() -> None:
    """A first task: the worker starts now, not at the first real task."""


@contextlib.contextmanager
def worker(warm: Callable[[], Any] = _nothing) -> Iterator[Executor]:
    """One worker process forked now, ``warm`` run in it first; ``HERE`` if none can be,
    or if it would share this process's only core."""
    if not forkable() or (os.cpu_count() or 1) < 2:
        yield HERE
        return
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        pool.submit(warm)
        yield pool
