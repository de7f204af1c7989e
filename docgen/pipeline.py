"""The stages in order: read -> blocks -> extract -> link -> plan -> render -> format.
Nothing here touches the output folder; `cli` writes or diffs what `generate` returns."""

from __future__ import annotations

import dataclasses
import gc
import pickle
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from docgen.config import Config, default_templates
from docgen.diagnostics import Severity, Sink
from docgen.extract import extract_page
from docgen.format import FORMATTER, FormatProblem, Formatting, load_black
from docgen.ir import Page, Span
from docgen.link import link
from docgen.output import Existing
from docgen.plan import Distribution, PlannedFile, plan, static_files
from docgen.read import Source, find_pages, read_page
from docgen.escape import Code, comment
from docgen.render import Renderer, TemplateProblem
from docgen.runtime import shipped_text
from docgen.validate import SkipReason, eligible, validate
from docgen.speed.cache import Cache, cache_dir
from docgen.speed.fingerprint import digest, file_digest, tool_fingerprint
from docgen.speed.incremental import (
    fingerprint,
    known_formatted,
    manifest_text,
    read_manifest,
)
from docgen.speed.manifest import NAME as MANIFEST
from docgen.speed.memo import RenderMemo, dumps
from docgen.speed.parallel import Workers

# progress(stage, done, total): called with done=0 when a stage starts ("read": pages,
# "render": files), then after each item. Information flows out only; it cannot steer the run.
Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class Generation:
    files: dict[str, str] = field(default_factory=dict)  # path in the output folder -> text
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)  # path -> pages it came from
    pages: int = 0
    models: int = 0
    enums: int = 0
    operations: int = 0
    tests: int = 0
    examples: int = 0
    eligible: int = 0  # examples docgen promises to test (see plan.examples.eligible)
    eligible_tested: int = 0
    skipped: Counter[SkipReason] = field(default_factory=Counter)
    blocks: Counter[str] = field(default_factory=Counter)  # BlockCounts fields, summed over pages
    rendered_hashes: dict[str, str] = field(default_factory=dict)  # path -> rendered_hash()


def generate_tree(
    config: Config, sink: Sink, tree: Mapping[str, Existing], progress: Progress | None = None
) -> Generation:
    """Everything build would write, the manifest included. Files whose rendered text is what
    the tree's manifest recorded are taken from the tree (`tree`: the output folder as read),
    not formatted again."""
    with _collector_paused():
        inputs = fingerprint(config)
        result = generate(config, sink, progress, formatted=known_formatted(read_manifest(config.output), tree))
        result.files[MANIFEST] = manifest_text(config, inputs, result.files, result.rendered_hashes, sink.sorted())
    result.sources[MANIFEST] = (config.input.name,)
    return result


def read_pages(
    config: Config, sink: Sink, cache: Cache, workers: Workers, progress: Progress | None = None
) -> list[Page]:
    """Every page's IR, from the cache when its bytes were seen before, else parsed (on every
    core when there are many). Diagnostics are replayed from the cache too."""
    root = config.input
    if not root.is_dir():
        sink.report("DG001", Span(path=str(root), line=1), "the input folder does not exist")
        return []
    rels = find_pages(root)
    if not rels:
        sink.report("DG005", Span(path=str(root), line=1), "the input folder holds no *.md page")
    keys = [_page_key(root, rel) for rel in rels]
    found = {rel: cache.get_object("page", key) for rel, key in zip(rels, keys)}
    misses = [(rel, key) for rel, key in zip(rels, keys) if found[rel] is None]
    if progress:
        progress("read", 0, len(rels))  # a stage starts at 0, then jumps past the cached pages
        if len(misses) < len(rels):
            progress("read", len(rels) - len(misses), len(rels))
    jobs = [(str(root), rel, root.name) for rel, _ in misses]
    for done, ((rel, key), blob) in enumerate(zip(misses, workers.map(_extract, jobs)), 1):
        found[rel] = pickle.loads(blob)
        cache.put("page", key, blob)
        if progress:
            progress("read", len(rels) - len(misses) + done, len(rels))
    pages = []
    for rel in rels:
        page, diagnostics = found[rel]
        sink.extend(diagnostics)
        if page is not None:
            pages.append(page)
    return pages


def _page_key(root: Path, rel: str) -> str:
    return digest(tool_fingerprint(), root.name, rel, file_digest(root / rel) or "\0unreadable")


def _extract(job: tuple[str, str, str]) -> bytes:
    """One page, read and extracted with a sink of its own (this may run in a worker), and
    pickled: the same bytes reach the parent and the cache."""
    root, rel, display_root = job
    sink = Sink()
    source = read_page(Path(root), rel, display_root, sink)
    page = extract_safely(source, sink) if source is not None else None
    return dumps((page, sink.items))


def extract_safely(source: Source, sink: Sink) -> Page | None:
    """extract_page, except that a docgen bug costs only this page (DG009), not the run."""
    try:
        return extract_page(source, sink)
    except Exception as exc:  # never a traceback for the user; the message locates the bug
        sink.report(
            "DG009", Span(path=source.display, line=1), f"docgen failed on this page and skipped it: {_bug(exc)}"
        )
        return None


def _bug(exc: BaseException) -> str:
    """An internal error in one line, with where it was raised (for a bug report)."""
    where = ""
    tb = exc.__traceback__
    while tb is not None:
        where = f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}"
        tb = tb.tb_next
    return f"{type(exc).__name__}: {str(exc)[:200]}{where} (a bug in docgen; please report it)"


def generate(
    config: Config,
    sink: Sink,
    progress: Progress | None = None,
    formatted: Mapping[str, str] | None = None,
) -> Generation:
    """Everything `build` would write, in memory. `formatted` maps a rendered text's hash to
    its formatted text where that is already known (from the existing tree): only the other
    files go through black."""
    cache = Cache(cache_dir())
    with _collector_paused(), Workers() as workers, closing(cache):
        pages = read_pages(config, sink, cache, workers, progress)
        workers.prepare(load_black)  # while this process plans; they format next
        result = Generation(pages=len(pages))
        renderer = Renderer(default_templates(), config.templates)
        formatting = Formatting(workers, cache, formatted or {})
        memo = RenderMemo(cache, config.templates)
        rendered: dict[str, PlannedFile] = {}
        # The files no page shapes first: the workers format them while this process plans.
        statics = static_files(config.package, config.input.name, config.templates)
        _render(statics, renderer, formatting, memo, rendered, result, sink)
        try:
            planned = _plan(config, pages, sink, result)
        except Exception as exc:  # as above: reported (an error, so nothing is written), never raised
            sink.report(
                "DG009", Span(path=str(config.input), line=1), f"docgen failed while planning the output: {_bug(exc)}"
            )
            return Generation(pages=len(pages))
        _render(planned, renderer, formatting, memo, rendered, result, sink, progress)
        for path, outcome in formatting.results():
            if isinstance(outcome, FormatProblem):
                sink.report(
                    "DG602",
                    Span(path=shown(renderer.template_path(rendered[path].template)), line=1),
                    f"{path}:{outcome.line}: generated code is not valid Python: {outcome}",
                )
            else:
                result.files[path] = outcome
    return result


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while generating: the IR, the specs and the plans are
    hundreds of thousands of long-lived objects without cycles, and the collector walked them
    all again each time the heap grew by a quarter (40% of a one-page edit's time at 10,000
    pages). What little cyclic garbage a run makes is collected when it ends. The workers
    collect as usual (`Workers` enables it in them)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _render(
    planned: list[PlannedFile],
    renderer: Renderer,
    formatting: Formatting,
    memo: RenderMemo,
    rendered: dict[str, PlannedFile],
    result: Generation,
    sink: Sink,
    progress: Progress | None = None,
) -> None:
    """Render each planned file and hand it to formatting; counts the tests into result. A
    plan rendered before (same value, same templates) whose formatted text is known is not
    rendered again: the memo gives its rendered hash, formatting the text for that hash."""
    if progress:
        progress("render", 0, len(planned))
    for done, item in enumerate(planned, 1):
        plan_key = memo.key(item) if not item.shipped else None
        known = memo.rendered(plan_key)
        if known is not None and formatting.reuse(item.path, known):
            rendered[item.path] = item
            result.sources[item.path] = item.sources
            result.rendered_hashes[item.path] = known
            if progress:
                progress("render", done, len(planned))
            continue
        text = render_file(renderer, item, sink)
        if text is not None:
            rendered[item.path] = item
            result.sources[item.path] = item.sources
            result.rendered_hashes[item.path] = key = rendered_hash(text)
            if item.verbatim:
                formatting.keep(item.path, text)
            else:
                formatting.add(item.path, key, text)
                memo.remember(plan_key, key)
        if progress:
            progress("render", done, len(planned))


def _plan(config: Config, pages: list[Page], sink: Sink, result: Generation) -> list[PlannedFile]:
    """Link and validate each version's pages and plan the output files; counts what it saw
    into result."""
    by_version: dict[str, list[Page]] = {}
    for page in pages:
        by_version.setdefault(page.version, []).append(page)
    specs = {version: validate(link(group, sink)) for version, group in sorted(by_version.items())}
    planned = plan(
        specs, config.package, config.input.name, config.base_url, sink, distribution=Distribution.of(config)
    )
    result.models = sum(len(s.spec.models) for s in specs.values())
    result.enums = sum(len(s.spec.enums) for s in specs.values())
    for page in pages:
        result.blocks.update({f.name: getattr(page.blocks, f.name) for f in dataclasses.fields(page.blocks)})
        for operation in page.operations:
            result.operations += 1
            result.examples += len(operation.examples)
            result.eligible += sum(1 for e in operation.examples if eligible(e))
    result.tests = len(planned.tests)
    result.eligible_tested = sum(1 for t in planned.tests if t.eligible)
    result.skipped.update(item.reason for item in planned.skipped)
    return list(planned.files)


def rendered_hash(text: str) -> str:
    """Names a rendered (unformatted) text and the formatter that will format it: the same
    text formats the same way while black and its mode stay the same."""
    return digest(FORMATTER, text)[:32]


def header(sources: tuple[str, ...]) -> Code:
    return Code(f"# Code generated by docgen from {comment(', '.join(sources))}. DO NOT EDIT.")


def render_file(renderer: Renderer, item: PlannedFile, sink: Sink) -> str | None:
    """The file's text before formatting, or None (reported) when its template fails."""
    if item.shipped:
        return f"{header(item.sources)}\n{shipped_text(item.shipped)}"
    try:
        return renderer.render(item.template, header=header(item.sources), **item.plan.context())
    except TemplateProblem as exc:
        # A broken template is reported once (identical diagnostics merge), not once per file.
        message = str(exc) if exc.loading else f"{exc} (while generating {item.path})"
        sink.report("DG601", Span(path=shown(exc.template), line=exc.line), message)
        return None


def shown(path: str) -> str:
    """A template's path as diagnostics show it: relative to the working directory when inside it."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return path


def summary_line(result: Generation, sink: Sink) -> str:
    warnings = sink.count(Severity.WARNING)
    errors = sink.count(Severity.ERROR)
    percent = 100.0 * result.eligible_tested / result.eligible if result.eligible else 100.0
    line = (
        f"{result.pages} pages, {result.models} models, {result.enums} enums, {result.operations} operations, "
        f"{result.tests} example tests, {warnings} warnings, {errors} errors\n"
        f"examples: {result.examples} documented, {result.eligible} testable (a response, JSON or empty bodies, "
        f"placeholders filled), {result.eligible_tested} of those became tests ({percent:.1f}%)"
    )
    b = result.blocks
    line += (
        f"\nread: fences {b['fences_used']} used, {b['fences_reported']} reported (DG130); "
        f"tables {b['tables_used']} used, {b['tables_reported']} reported (DG131); "
        f"annotations {b['annotations_used']} used, {b['annotations_reported']} reported (DG132)"
    )
    if result.skipped:
        reasons = "; ".join(
            f"{count} {reason.value}"
            for reason, count in sorted(result.skipped.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        line += f"\nexamples not tested: {reasons}"
    return line
