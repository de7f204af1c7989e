"""The stages in order: read -> blocks -> extract -> link -> plan -> render -> format.
Nothing here touches the output folder; `cli` writes or diffs what `generate` returns."""

from __future__ import annotations

import dataclasses
import gc
import os
import pickle
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from docgen.config import Config, default_templates
from docgen.diagnostics import Diagnostic, Severity, Sink, printable
from docgen.extract import extract_page
from docgen.format import FORMATTER, FormatProblem, Formatting, load_black
from docgen.ir import Page, Span
from docgen.link import link
from docgen.output import Existing
from docgen.plan import Distribution, Facts, Plan, PlannedFile, plan, static_files
from docgen.read import Source, find_pages, read_page
from docgen.escape import Code, comment
from docgen.render import Renderer, TemplateProblem
from docgen.runtime import shipped_text
from docgen.validate import SkipReason, eligible, validate
from docgen.speed.cache import Cache, cache_dir
from docgen.speed.fingerprint import digest, file_digest, tool_fingerprint
from docgen.speed import delta
from docgen.speed.delta import BuildState, FileRecord, PageRecord, PageSummary, summarize
from docgen.speed.incremental import (
    as_written,
    fingerprint,
    manifest_text,
    read_manifest,
    settings,
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
    replanned: int | None = None  # pages planned again by the incremental path (None: the full path ran)


def generate_tree(
    config: Config, sink: Sink, tree: Mapping[str, Existing], progress: Progress | None = None
) -> Generation:
    """Everything build would write, the manifest included. Files whose rendered text is what
    the tree's manifest recorded are taken from the tree (`tree`: the output folder as read),
    not formatted again."""
    with _collector_paused():
        inputs = fingerprint(config)
        manifest = read_manifest(config.output)
        written = as_written(manifest, tree)
        formatted = {rendered: text for rendered, (text, _) in written.items()}
        previous = manifest.inputs if manifest is not None else ""
        result = generate(config, sink, progress, formatted=formatted, previous=previous, inputs=inputs)
        hashes = dict(written.values())  # formatted text -> its content hash
        result.files[MANIFEST] = manifest_text(
            config, inputs, result.files, result.rendered_hashes, sink.sorted(), hashes
        )
    result.sources[MANIFEST] = (config.input.name,)
    return result


def read_pages(
    config: Config, sink: Sink, cache: Cache, workers: Workers, progress: Progress | None = None
) -> list[Page]:
    """Every page's IR, from the cache when its bytes were seen before, else parsed (on every
    core when there are many). Diagnostics are replayed from the cache too."""
    return [item.page for item in read_all(config, sink, cache, workers, progress) if item.page is not None]


@dataclass(frozen=True, slots=True)
class ReadPage:
    """One page as read: its cache key, its IR (None when it gave none), the diagnostics of
    reading it, and what other pages can see of it (`delta.summarize`)."""

    rel: str
    key: str
    page: Page | None
    diagnostics: tuple[Diagnostic, ...]
    summary: PageSummary | None


def read_all(
    config: Config, sink: Sink, cache: Cache, workers: Workers, progress: Progress | None = None
) -> list[ReadPage]:
    root = config.input
    if not root.is_dir():
        sink.report("DG001", Span(path=str(root), line=1), "the input folder does not exist")
        return []
    rels = find_pages(root)
    if not rels:
        sink.report("DG005", Span(path=str(root), line=1), "the input folder holds no *.md page")
    keys = [_page_key(root, rel) for rel in rels]
    found = {rel: _cached_page(cache, key) for rel, key in zip(rels, keys)}
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
    items = []
    for rel, key in zip(rels, keys):
        page, diagnostics, summary = found[rel]
        sink.extend(diagnostics)
        items.append(ReadPage(rel, key, page, tuple(diagnostics), summary))
    return items


def _cached_page(cache: Cache, key: str) -> tuple | None:
    found = cache.get_object("page", key)
    return found if isinstance(found, tuple) and len(found) == 3 else None


def _read_one(root: Path, rel: str, key: str, cache: Cache) -> ReadPage:
    """One page, from the cache or parsed here."""
    found = _cached_page(cache, key)
    if found is None:
        blob = _extract((str(root), rel, root.name))
        found = pickle.loads(blob)
        cache.put("page", key, blob)
    page, diagnostics, summary = found
    return ReadPage(rel, key, page, tuple(diagnostics), summary)


def _page_key(root: Path, rel: str) -> str:
    # a plain string path: 10,000 pages at full scale
    return digest(tool_fingerprint(), root.name, rel, file_digest(os.path.join(root, rel)) or "\0unreadable")


def _extract(job: tuple[str, str, str]) -> bytes:
    """One page, read and extracted with a sink of its own (this may run in a worker), and
    pickled: the same bytes reach the parent and the cache."""
    root, rel, display_root = job
    sink = Sink()
    source = read_page(Path(root), rel, display_root, sink)
    page = extract_safely(source, sink) if source is not None else None
    return dumps((page, sink.items, summarize(page) if page is not None else None))


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
    previous: str = "",
    inputs: str = "",
) -> Generation:
    """Everything `build` would write, in memory. `formatted` maps a rendered text's hash to
    its formatted text where that is already known (from the existing tree): only the other
    files go through black. `previous` is the input fingerprint of the build that wrote the
    tree (its manifest's): when that build's state is in the cache and few pages changed, only
    what they can affect is planned again (`delta`). `inputs`, this build's fingerprint, keys
    the state this build leaves."""
    cache = Cache(cache_dir())
    with _collector_paused(), Workers() as workers, closing(cache):
        memo = RenderMemo(cache, config.templates)
        context = digest(memo.salt, *settings(config)) if memo.salt else ""
        renderer = Renderer(default_templates(), config.templates)
        state = delta.load(cache, previous, context) if previous and context else None
        if state is not None:
            done = _incremental(config, cache, workers, memo, renderer, formatted or {}, state)
            if done is not None:
                result, after = done
                sink.extend(after.diagnostics)
                if inputs:
                    delta.store(cache, inputs, after)
                return result
        start = len(sink.items)
        reads = read_all(config, sink, cache, workers, progress)
        pages = [item.page for item in reads if item.page is not None]
        workers.prepare(load_black)  # while this process plans; they format next
        result = Generation(pages=len(pages))
        formatting = Formatting(workers, cache, formatted or {})
        rendered: dict[str, PlannedFile] = {}
        keys: dict[str, str | None] = {}
        # The files no page shapes first: the workers format them while this process plans.
        statics = static_files(config.package, config.input.name, config.templates)
        _render(statics, renderer, formatting, memo, rendered, result, sink, keys=keys)
        try:
            whole = _planned(config, pages, sink, result)
        except Exception as exc:  # as above: reported (an error, so nothing is written), never raised
            sink.report(
                "DG009", Span(path=str(config.input), line=1), f"docgen failed while planning the output: {_bug(exc)}"
            )
            return Generation(pages=len(pages))
        planned = list(whole.files)
        _render(planned, renderer, formatting, memo, rendered, result, sink, progress, keys=keys)
        for path, outcome in formatting.results():
            if isinstance(outcome, FormatProblem):
                sink.report(
                    "DG602",
                    Span(path=shown(renderer.template_path(rendered[path].template)), line=1),
                    f"{path}:{outcome.line}: generated code is not valid Python: {outcome}",
                )
            else:
                result.files[path] = outcome
        diagnostics = tuple(Sink(sink.items[start:]).sorted())
        complete = len(result.files) == len(rendered) and not any(d.severity is Severity.ERROR for d in diagnostics)
        if inputs and context and complete:
            records = tuple(
                PageRecord(item.rel, item.key, printable(f"{config.input.name}/{item.rel}"), item.summary)
                for item in reads
            )
            files = tuple(
                FileRecord(path, result.sources[path], keys.get(path), result.rendered_hashes[path])
                for path in sorted(result.files)
            )
            state = BuildState(context, records, files, diagnostics, _counts(result), whole.facts)
            delta.store(cache, inputs, state)
    return result


MAX_CHANGED = 8  # more changed pages than this: the full path
SMALL = 64  # a neighbourhood of fewer pages is planned twice even when it is most of the input


def _counts(result: Generation) -> tuple[tuple[str, object], ...]:
    """Generation's counters (every field but the files' own tables)."""
    values = []
    for f in dataclasses.fields(Generation):
        value = getattr(result, f.name)
        if f.name == "replanned":
            continue
        if isinstance(value, Counter):
            values.append((f.name, tuple(sorted(value.items()))))
        elif isinstance(value, int):
            values.append((f.name, value))
    return tuple(values)


@dataclass(frozen=True, slots=True)
class _Run:
    """The stages from link to plan over some pages: each file's plan and plan key, the
    diagnostics, the counters."""

    files: dict[str, tuple[PlannedFile, str | None]]
    diagnostics: frozenset[Diagnostic]
    counts: dict[str, object]


def _run(config: Config, reads: list[ReadPage], memo: RenderMemo, given: dict[str, Facts]) -> _Run | None:
    sink = Sink()
    for item in reads:
        sink.extend(item.diagnostics)
    pages = [item.page for item in reads if item.page is not None]
    result = Generation(pages=len(pages))
    try:
        planned = _planned(config, pages, sink, result, given).files
    except Exception:  # the full path reports it (a fact missing here: a page's operations changed)
        return None
    files = {item.path: (item, memo.key(item)) for item in planned}
    return _Run(files, frozenset(sink.items), dict(_counts(result)))


def _incremental(
    config: Config,
    cache: Cache,
    workers: Workers,
    memo: RenderMemo,
    renderer: Renderer,
    formatted: Mapping[str, str],
    state: BuildState,
) -> tuple[Generation, BuildState] | None:
    """The build when only a few pages changed and none of them changed what other pages can
    see (see `delta`), or None: the full path then runs, as if this had not been tried."""
    root = config.input
    if not root.is_dir():
        return None
    rels = find_pages(root)
    if rels != [p.rel for p in state.pages]:
        return None  # a page added or removed
    keys = [_page_key(root, rel) for rel in rels]
    changed = [record for record, key in zip(state.pages, keys) if record.key != key]
    if len(changed) > MAX_CHANGED:
        return None
    key_of_rel = dict(zip(rels, keys))
    new: dict[str, ReadPage] = {}
    old: dict[str, ReadPage] = {}
    for record in changed:
        now = _read_one(root, record.rel, key_of_rel[record.rel], cache)
        before = _cached_page(cache, record.key)
        if before is None or now.summary is None or record.summary is None:
            return None
        if now.summary.outline != record.summary.outline:
            return None  # what other pages see of it changed: a type, a name, a path...
        new[record.rel] = now
        old[record.rel] = ReadPage(record.rel, record.key, before[0], tuple(before[1]), before[2])
    displays = {record.display for record in changed}
    moved = {record.display for record in changed if new[record.rel].summary.lines != record.summary.lines}
    if any(d.path in moved for _, facts in state.facts for d in facts.reports):
        return None  # what the whole input's plan reported there would now be on other lines
    own = {f.path: f for f in state.files if displays.intersection(f.sources)}
    result = Generation()
    after_files = list(state.files)
    diagnostics = set(state.diagnostics)
    counts = dict(state.counts)
    if changed:
        world = delta.neighbourhood(state, new, {rel: item.summary for rel, item in new.items()})
        if len(world) * 2 > len(rels) and len(world) > SMALL:
            return None  # planning it twice costs what planning everything does
        others = {rel: _read_one(root, rel, key_of_rel[rel], cache) for rel in rels if rel in world and rel not in new}
        given = dict(state.facts)
        before_run = _run(config, [old.get(rel) or others[rel] for rel in rels if rel in world], memo, given)
        after_run = _run(config, [new.get(rel) or others[rel] for rel in rels if rel in world], memo, given)
        if before_run is None or after_run is None:
            return None
        if not _same_elsewhere(before_run, after_run, own, displays, state):
            return None
        counts = _moved(counts, before_run.counts, after_run.counts)
        if counts is None:
            return None
        diagnostics = {d for d in diagnostics if d.path not in displays}
        diagnostics |= {d for d in after_run.diagnostics if d.path in displays}
    formatting = Formatting(workers, cache, formatted)
    rendered: dict[str, PlannedFile] = {}
    plan_keys: dict[str, str | None] = {}
    problems = Sink()
    statics = static_files(config.package, config.input.name, config.templates)
    _render(statics, renderer, formatting, memo, rendered, result, problems, keys=plan_keys)
    for record in state.files:
        if record.path in rendered or record.path in own:
            continue
        if not formatting.reuse(record.path, record.rendered):
            return None  # its text is neither in the tree nor in the cache
        result.sources[record.path] = record.sources
        result.rendered_hashes[record.path] = record.rendered
    if changed:
        mine = [after_run.files[path][0] for path in sorted(own)]
        _render(mine, renderer, formatting, memo, rendered, result, problems, keys=plan_keys)
    if problems.items:
        return None  # a template problem: the full path reports it
    for path, outcome in formatting.results():
        if isinstance(outcome, FormatProblem):
            return None
        result.files[path] = outcome
    if set(result.files) != {record.path for record in state.files}:
        return None
    for name, value in counts.items():
        setattr(result, name, Counter(dict(value)) if isinstance(value, tuple) else value)
    after_files = [
        FileRecord(f.path, result.sources[f.path], plan_keys.get(f.path, f.plan_key), result.rendered_hashes[f.path])
        for f in after_files
    ]
    pages = tuple(
        (
            PageRecord(record.rel, new[record.rel].key, record.display, new[record.rel].summary)
            if record.rel in new
            else record
        )
        for record in state.pages
    )
    result.replanned = len(world) if changed else 0
    after = BuildState(
        state.context,
        pages,
        tuple(after_files),
        tuple(Sink(list(diagnostics)).sorted()),
        tuple(counts.items()),
        state.facts,
    )
    return result, after


def _same_elsewhere(
    before: _Run, after: _Run, own: Mapping[str, FileRecord], displays: set[str], state: BuildState
) -> bool:
    """Whether the neighbourhood, planned from the changed pages' old IR, gives exactly what the
    full build recorded for their files and diagnostics; and whether planned from their new IR
    it changes nothing else."""

    def theirs(run: _Run) -> set[str]:
        return {path for path, (item, _) in run.files.items() if displays.intersection(item.sources)}

    if theirs(before) != set(own) or theirs(after) != set(own):
        return False
    for path, record in own.items():
        if record.plan_key is None or before.files[path][1] != record.plan_key or after.files[path][1] is None:
            return False
    rest_before = {path: key for path, (_, key) in before.files.items() if path not in own}
    rest_after = {path: key for path, (_, key) in after.files.items() if path not in own}
    if rest_before != rest_after or None in rest_before.values():
        return False
    recorded = {d for d in state.diagnostics if d.path in displays}
    if {d for d in before.diagnostics if d.path in displays} != recorded:
        return False
    return {d for d in before.diagnostics if d.path not in displays} == {
        d for d in after.diagnostics if d.path not in displays
    }


def _moved(counts: dict[str, object], before: dict[str, object], after: dict[str, object]) -> dict[str, object] | None:
    """counts + after - before, field by field (None when a count would go below zero)."""
    moved: dict[str, object] = {}
    for name, value in counts.items():
        if isinstance(value, tuple):
            total = Counter(dict(value))
            total.update(dict(after[name]))  # type: ignore[arg-type]
            total.subtract(dict(before[name]))  # type: ignore[arg-type]
            if any(n < 0 for n in total.values()):
                return None
            moved[name] = tuple(sorted((k, n) for k, n in total.items() if n))
        else:
            number = value + after[name] - before[name]  # type: ignore[operator]
            if number < 0:
                return None
            moved[name] = number
    return moved


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
    keys: dict[str, str | None] | None = None,
) -> None:
    """Render each planned file and hand it to formatting; counts the tests into result. A
    plan rendered before (same value, same templates) whose formatted text is known is not
    rendered again: the memo gives its rendered hash, formatting the text for that hash."""
    if progress:
        progress("render", 0, len(planned))
    for done, item in enumerate(planned, 1):
        plan_key = memo.key(item) if not item.shipped else None
        if keys is not None:
            keys[item.path] = plan_key
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
    return list(_planned(config, pages, sink, result).files)


def _planned(
    config: Config, pages: list[Page], sink: Sink, result: Generation, given: dict[str, Facts] | None = None
) -> Plan:
    by_version: dict[str, list[Page]] = {}
    for page in pages:
        by_version.setdefault(page.version, []).append(page)
    specs = {version: validate(link(group, sink)) for version, group in sorted(by_version.items())}
    planned = plan(
        specs,
        config.package,
        config.input.name,
        config.base_url,
        sink,
        distribution=Distribution.of(config),
        given=given,
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
    return planned


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
