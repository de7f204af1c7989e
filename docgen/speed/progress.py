"""A progress bar on stderr for long runs: drawn only on a terminal, never in CI or in a pipe.

The pipeline reports `progress(stage, done, total)`; `ProgressBar` turns those calls into one
click bar per stage. It only draws: nothing flows back into the pipeline.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import IO, Any

import click

MIN_PAGES = 200  # smaller inputs are done before a bar is worth looking at
_LABELS = {"read": "reading pages", "render": "generating files"}


def wanted(stream: IO[str], environ: Mapping[str, str]) -> bool:
    """A bar belongs on an interactive terminal; CI logs and pipes get none."""
    if environ.get("CI", "").strip().lower() not in ("", "0", "false"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class ProgressBar:
    """Callable as a pipeline `Progress`; shows nothing until the input has `min_pages` pages."""

    __slots__ = ("stream", "min_pages", "shown", "_bar", "_done")

    def __init__(self, stream: IO[str], min_pages: int = MIN_PAGES) -> None:
        self.stream = stream
        self.min_pages = min_pages
        self.shown = False
        self._bar: Any = None
        self._done = 0

    @classmethod
    def for_stderr(cls) -> ProgressBar | None:
        return cls(sys.stderr) if wanted(sys.stderr, os.environ) else None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if done == 0:
            self.close()
            if stage == "read":
                self.shown = total >= self.min_pages
            if self.shown:
                self._bar = click.progressbar(length=total, label=_LABELS.get(stage, stage), file=self.stream)
                self._bar.__enter__()
                self._done = 0
            return
        if self._bar is not None:
            self._bar.update(done - self._done)
            self._done = done
            if done >= total:
                self.close()

    def close(self) -> None:
        if self._bar is not None:
            bar, self._bar = self._bar, None
            bar.__exit__(None, None, None)
