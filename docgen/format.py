"""Stage 6: black, in memory. Rendered code that does not parse is a docgen bug (DG602)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from functools import lru_cache
from importlib import metadata

from docgen.speed.cache import Cache
from docgen.speed.parallel import Workers

# What a formatted text depends on besides its source: bump the mode part when _mode() changes.
FORMATTER = f"black {metadata.version('black')}, mode: defaults"


class FormatProblem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(line, message)  # both in args: it must survive pickling from a worker
        self.line = line
        self.message = message

    def __str__(self) -> str:
        return self.message


@lru_cache(maxsize=1)
def _mode():
    import black  # imported here: `docgen check` on an up-to-date tree may not need it

    # black's defaults, so that `black --check` on the output agrees byte for byte.
    return black.Mode()


def load_black() -> None:
    """Import black (about 0.1 s) ahead of the first file."""
    _mode()


@lru_cache(maxsize=64)
def format_python(source: str) -> str:
    """black's formatting of source (cached: the same text, e.g. the static runtime, is
    formatted once per process)."""
    import black

    try:
        compile(source, "<generated>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise FormatProblem(exc.lineno or 1, f"{exc.msg}: {(exc.text or '').strip()[:80]!r}") from None
    try:
        return black.format_str(source, mode=_mode())
    except black.InvalidInput as exc:  # pragma: no cover - compile() above catches these first
        raise FormatProblem(1, str(exc)) from None


class Formatting:
    """Stage 6 for a whole run, fed one rendered file at a time so that black starts on the
    first files while later ones are still rendering. A text already formatted once (`known`:
    from the existing tree, by rendered hash; or in the cache) is not formatted again.

    New texts go to the workers in batches of about BATCH characters (a few files): one job
    per file cost more in queueing than the formatting of a small file, and a batch is still
    small enough that both workers finish at nearly the same time."""

    BATCH = 24_000

    def __init__(self, workers: Workers, cache: Cache, known: Mapping[str, str], *, min_items: int = 8) -> None:
        self.workers = workers
        self.cache = cache
        self.known = known
        self.min_items = min_items  # fewer new texts than this are formatted here, not in workers
        self.done: dict[str, str] = {}
        self.waiting: list[tuple[str, str, str]] = []  # path, hash, text: not yet sent
        self.sent: list[tuple[list[tuple[str, str, str]], Future[list[str | FormatProblem]]]] = []
        self.started = False  # whether new texts go to the workers

    def reuse(self, path: str, key: str) -> bool:
        """Take the formatted text of the rendered text hashed `key`, if it is known; False
        when it is not (the caller renders and add()s it)."""
        done = self.known.get(key)
        if done is None:
            cached = self.cache.get("formatted", key)
            done = cached.decode("utf-8") if cached is not None else None
        if done is None:
            return False
        self.done[path] = done
        return True

    def add(self, path: str, key: str, text: str) -> None:
        if self.reuse(path, key):
            return
        self.waiting.append((path, key, text))
        self.started = (
            self.started or self.workers.running or (self.workers.parallel and len(self.waiting) >= self.min_items)
        )
        if self.started and sum(len(text) for _, _, text in self.waiting) >= self.BATCH:
            self._send()

    def keep(self, path: str, text: str) -> None:
        """A text that is black's output already (a shipped runtime module): no formatting,
        no cache entry."""
        self.done[path] = text

    def _send(self) -> None:
        batch, self.waiting = self.waiting, []
        texts = [text for _, _, text in batch]
        future = (
            self.workers.submit(_format_batch, texts) if self.started else self.workers.inline(_format_batch, texts)
        )
        self.sent.append((batch, future))

    def results(self) -> Iterator[tuple[str, str | FormatProblem]]:
        """(path, formatted text or the problem) for every file added, in path order. What
        black formatted goes into the cache."""
        if self.waiting:
            self._send()
        outcomes: dict[str, str | FormatProblem] = dict(self.done)
        for batch, future in self.sent:
            for (path, key, _), outcome in zip(batch, future.result()):
                outcomes[path] = outcome
                if not isinstance(outcome, FormatProblem):
                    self.cache.put("formatted", key, outcome.encode("utf-8"))
        for path in sorted(outcomes):
            yield path, outcomes[path]


def _format_batch(texts: list[str]) -> list[str | FormatProblem]:
    """Files formatted (this may run in a worker). A problem is returned, not raised: it
    crosses a process boundary, and the other files of the batch still count."""
    outcomes: list[str | FormatProblem] = []
    for text in texts:
        try:
            outcomes.append(format_python(text))
        except FormatProblem as exc:
            outcomes.append(exc)
    return outcomes
