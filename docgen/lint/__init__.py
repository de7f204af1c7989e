"""`docgen lint`: every problem docgen finds in the pages, as findings a docs owner can act on.

The pages come from the page cache (`pipeline.read_pages`): a repeat run parses no Markdown.
Every page of the input is linked (so links and types resolve against all of them), and the
findings are kept for the pages in scope only (`--changed-since`, or pages named on the command
line). Findings are the diagnostics of extract, link, validate and plan (`DG404`/`DG405` say
why an example is not tested) and lint's own checks (DG801-DG811, see the README)."""

from __future__ import annotations

from collections.abc import Collection
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from docgen.config import Config
from docgen.diagnostics import Diagnostic, Severity, Sink
from docgen.ir import Page, Span
from docgen.link import link
from docgen.lint.checks import Types, check_page
from docgen.lint.links import check_links
from docgen.lint.suppress import Suppression, apply_suppressions, read_suppressions
from docgen.read import find_pages, read_page
from docgen.validate import CheckedOperation, ValidatedSpec, validate


@dataclass(frozen=True, slots=True)
class LintResult:
    findings: tuple[Diagnostic, ...]  # sorted, suppressed ones left out
    pages: int  # pages in scope
    suppressed: int

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.findings if d.severity is severity)

    def failed(self, strict: bool) -> bool:
        bad = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
        return any(d.severity in bad for d in self.findings)


def lint(config: Config, scope: Collection[str] | None = None, shown_as: str | None = None) -> LintResult:
    """Lint config.input; `scope`: the pages (relative to it, posix) to report on, None for all;
    `shown_as`: how findings name the input folder (its name, as diagnostics do, by default)."""
    sink = Sink()
    root = config.input
    pages = cached_pages(config, sink)
    specs = _validated(pages, sink)
    _plan_diagnostics(config, specs, sink)
    rels = frozenset(find_pages(root)) if root.is_dir() else frozenset()
    wanted = rels if scope is None else rels & frozenset(scope)
    shown = {f"{root.name}/{rel}" for rel in wanted}
    checked: dict[str, tuple[tuple[CheckedOperation, ...], ValidatedSpec]] = {}
    for validated in specs.values():
        for c in validated.operations:
            ops, _ = checked.get(c.page.path, ((), validated))
            checked[c.page.path] = ((*ops, c), validated)
    types = {id(v): Types.of(v) for v in specs.values()}
    suppressions: list[Suppression] = []
    for page in pages:
        if page.path not in wanted:
            continue
        lines = _lines(root, page.path)
        items, validated = checked.get(page.path, ((), _spec_of(page, specs)))
        check_page(page, items, types[id(validated)], lines, sink)
    for rel in sorted(wanted):
        display = f"{root.name}/{rel}"
        lines = _lines(root, rel)
        check_links(rel, display, lines, rels, sink)
        suppressions += read_suppressions(display, lines, sink)
    in_scope = [d for d in sink.sorted() if d.path in shown or (scope is None and d.path not in shown)]
    kept, suppressed = apply_suppressions(in_scope, suppressions, late := Sink())
    findings = sorted({_relocated(d, root.name, shown_as) for d in kept + late.items})
    return LintResult(findings=tuple(findings), pages=len(wanted), suppressed=suppressed)


def _relocated(diagnostic: Diagnostic, name: str, shown_as: str | None) -> Diagnostic:
    if shown_as is None or not diagnostic.path.startswith(name + "/"):
        return diagnostic
    path = shown_as.rstrip("/") + diagnostic.path[len(name) :]
    return Diagnostic(path, diagnostic.line, diagnostic.col, diagnostic.code, diagnostic.message)


def cached_pages(config: Config, sink: Sink) -> list[Page]:
    """Every page's IR, through the page cache (what `build` and `check` read)."""
    from docgen.pipeline import read_pages
    from docgen.speed.cache import Cache, cache_dir
    from docgen.speed.parallel import Workers

    cache = Cache(cache_dir())
    with Workers() as workers, closing(cache):
        return read_pages(config, sink, cache, workers)


def validated_specs(config: Config, sink: Sink) -> dict[str, ValidatedSpec]:
    """Each API version's pages, linked and validated (for `docgen export`)."""
    return _validated(cached_pages(config, sink), sink)


def _validated(pages: list[Page], sink: Sink) -> dict[str, ValidatedSpec]:
    by_version: dict[str, list[Page]] = {}
    for page in pages:
        by_version.setdefault(page.version, []).append(page)
    return {version: validate(link(group, sink)) for version, group in sorted(by_version.items())}


def _spec_of(page: Page, specs: dict[str, ValidatedSpec]) -> ValidatedSpec:
    return specs[page.version]


def _plan_diagnostics(config: Config, specs: dict[str, ValidatedSpec], sink: Sink) -> None:
    """What plan reports (examples not tested, DG404-DG406; shared method names, DG501);
    nothing is rendered."""
    from docgen.pipeline import _bug
    from docgen.plan import plan

    try:
        plan(specs, config.package, config.input.name, config.base_url, sink)
    except Exception as exc:  # as in the pipeline: reported, never raised
        sink.report("DG009", Span(path=str(config.input), line=1), f"docgen failed while planning: {_bug(exc)}")


def _lines(root: Path, rel: str) -> list[str]:
    source = read_page(root, rel, root.name, Sink())  # its diagnostics came with the cached page
    return source.text.split("\n") if source is not None else []


__all__ = ["LintResult", "cached_pages", "lint", "validated_specs"]
