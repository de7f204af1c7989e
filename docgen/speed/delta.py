"""What a build leaves for the next one, so that a one-page edit costs what that page can affect.

After every build (`BuildState`, in the cache under the build's input fingerprint): per page its
cache key, a digest of its *outline* (its IR with every `description` text and every source
line blanked) and the type names it defines and names; per file its sources, its plan key and
its rendered hash; the diagnostics and the counts. The next build finds it through the
manifest in the output folder, and when only a few pages changed and each one's outline did
not, it plans a *neighbourhood* of those pages twice (their old and their new IR, with the
pages they name types of, the pages that name theirs, and the pages that share a file with
them) instead of every page, and takes the new files from it only when the old run reproduces
exactly what the full build recorded (same plan keys, same diagnostics at those pages) and the
two runs agree on every other file. Anything else (a page added or removed, a type renamed, a
cache entry missing, a check that does not hold) takes the full path. Nothing here is tied to a
plan class: files are told apart by their `sources`, their plans by `value_key`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from docgen.diagnostics import Diagnostic
from docgen.ir import Model, Page, Span, TypeRef

KIND = "state"


@dataclass(frozen=True, slots=True)
class PageSummary:
    """What other pages can see of a page, as far as this module can tell without linking."""

    outline: str  # digest of the IR with descriptions and lines blanked
    lines: str  # digest of the line of every span in it, in order
    defines: tuple[str, ...]  # "version\0lower-case type name"
    names: tuple[str, ...]  # type names it refers to (fields, bases, parameters, @odata.type values)


@dataclass(frozen=True, slots=True)
class PageRecord:
    rel: str
    key: str  # the page cache key (its bytes, docgen's code)
    display: str  # the path its diagnostics and generated headers show
    summary: PageSummary | None  # None when the page gave no IR


@dataclass(frozen=True, slots=True)
class FileRecord:
    path: str
    sources: tuple[str, ...]
    plan_key: str | None  # None: not keyed (shipped modules); such a file is never taken from a neighbourhood
    rendered: str  # the rendered hash (formatted text: from the tree or the cache)


@dataclass(frozen=True, slots=True)
class BuildState:
    context: str  # docgen's code, the templates, the settings that reach the output
    pages: tuple[PageRecord, ...]  # in find_pages order
    files: tuple[FileRecord, ...]
    diagnostics: tuple[Diagnostic, ...]  # sorted, distinct
    counts: tuple[tuple[str, Any], ...]  # Generation's counters, by field name
    facts: tuple[tuple[str, Any], ...]  # per API version, the plan's `Facts` over all of its pages


# -- page summaries ------------------------------------------------------------------------


class _OutlinePickler(pickle.Pickler):
    """Pickles a page's IR with every Span dropped and every `description` field emptied."""

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        if cls is Span:
            return type(None), ()
        if isinstance(obj, type) or not dataclasses.is_dataclass(cls):
            if isinstance(obj, str) and cls is not str:
                return cls, (str(obj),)
            return NotImplemented
        values = tuple(
            "" if f.name == "description" else getattr(obj, f.name)
            for f in dataclasses.fields(cls)
            if f.name != "raw"  # how a type was spelled, not what it is
        )
        return cls, values


def summarize(page: Page) -> PageSummary:
    buffer = io.BytesIO()
    _OutlinePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(page)
    outline = hashlib.sha256(buffer.getbuffer()).hexdigest()[:32]
    version = page.version
    defines = sorted({f"{version}\0{t.name.lower()}" for t in (*page.models, *page.enums)})
    names: set[str] = set()
    lines: list[int] = []
    _names_in(page, names, version, lines)
    digest = hashlib.sha256(repr(lines).encode("ascii")).hexdigest()[:32]
    return PageSummary(outline=outline, lines=digest, defines=tuple(defines), names=tuple(sorted(names)))


def _names_in(value: Any, found: set[str], version: str, lines: list[int]) -> None:
    """Every type name a value refers to: TypeRefs, model bases, and strings that look like
    @odata.type values (`#microsoft.graph.user`) anywhere, example bodies included; and the
    line of every span, in a fixed order."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Span):
            lines.append(item.line)
            continue
        if isinstance(item, str):
            if item.startswith("#") and "." in item:
                found.add(f"{version}\0{item.rsplit('.', 1)[-1].lower()}")
            continue
        if isinstance(item, TypeRef):
            found.add(f"{version}\0{item.name.lower()}")
        if isinstance(item, Model) and item.base:
            found.add(f"{version}\0{item.base.rsplit('.', 1)[-1].lower()}")
        if isinstance(item, (tuple, list)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))


# -- the neighbourhood of changed pages ----------------------------------------------------


def neighbourhood(state: BuildState, changed: Iterable[str], summaries: dict[str, PageSummary]) -> set[str]:
    """The pages (rels) to plan again with the changed ones: every page that shares a file
    with one of them, every page that names a type they define, and then, transitively, every
    page that defines a type any of those names. `summaries` holds the changed pages' new
    summaries (their old ones are in the state)."""
    by_display = {p.display: p.rel for p in state.pages}
    records = {p.rel: p for p in state.pages}
    definers: dict[str, set[str]] = {}
    namers: dict[str, set[str]] = {}
    for record in state.pages:
        for summary in (record.summary, summaries.get(record.rel)):
            if summary is None:
                continue
            for name in summary.defines:
                definers.setdefault(name, set()).add(record.rel)
            for name in summary.names:
                namers.setdefault(name, set()).add(record.rel)
    changed = set(changed)
    displays = {records[rel].display for rel in changed}
    world = set(changed)
    for item in state.files:
        if displays.intersection(item.sources):
            world.update(by_display[s] for s in item.sources if s in by_display)
    for rel in changed:
        for summary in (records[rel].summary, summaries.get(rel)):
            for name in summary.defines if summary is not None else ():
                world.update(namers.get(name, ()))
                world.update(definers.get(name, ()))
    frontier = list(world)
    while frontier:
        rel = frontier.pop()
        for summary in (records[rel].summary, summaries.get(rel)):
            for name in summary.names if summary is not None else ():
                for other in definers.get(name, ()):
                    if other not in world:
                        world.add(other)
                        frontier.append(other)
    return world


# -- storing ---------------------------------------------------------------------------------


def load(cache: Any, inputs: str, context: str) -> BuildState | None:
    found = cache.get_object(KIND, inputs) if inputs else None
    return found if isinstance(found, BuildState) and found.context == context else None


def store(cache: Any, inputs: str, state: BuildState) -> None:
    from docgen.speed.memo import dumps

    cache.put(KIND, inputs, dumps(state))
