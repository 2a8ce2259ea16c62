"""A pool of sandbox slots for parallel grading: one warm fork server per worker thread."""
from __future__ import annotations

import queue
import threading
from contextlib import contextmanager
from typing import Iterator

from grader.sandbox.runner import Sandbox


class SandboxPool:
    """``size`` sandboxes, started on first use, handed out one per concurrent job."""

    def __init__(self, size: int, *, hide: list[str], isolation: str = "auto"):
        self.size = max(1, size)
        self.hide = hide
        self.isolation = isolation
        self._free: queue.Queue[Sandbox] = queue.Queue()
        self._all: list[Sandbox] = []
        self._lock = threading.Lock()

    @property
    def level(self) -> str:
        """The isolation level in force (starts one slot if none has started yet)."""
        with self.acquire() as sandbox:
            return sandbox.level

    @property
    def level_description(self) -> str:
        with self.acquire() as sandbox:
            return f"{sandbox.level} ({sandbox.level_description})"

    @contextmanager
    def acquire(self) -> Iterator[Sandbox]:
        sandbox = self._take()
        try:
            yield sandbox
        finally:
            self._free.put(sandbox)

    def _take(self) -> Sandbox:
        try:
            return self._free.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if len(self._all) < self.size:
                sandbox = Sandbox(hide=self.hide, isolation=self.isolation, slot=len(self._all))
                self._all.append(sandbox)
                return sandbox
        return self._free.get()

    def close(self) -> None:
        for sandbox in self._all:
            sandbox.close()
        self._all.clear()

    def __enter__(self) -> "SandboxPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
