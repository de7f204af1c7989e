"""N renamed copies of a doc set, so that benchmarks can run at the size of the full reference.

Copy K of every page goes under `copyK/` and every type name the doc set links (models and
enums of each API version, placeholders included) gets the suffix `CK` wherever it occurs as a
whole word (`user` -> `userC3`, `#microsoft.graph.user` -> `#microsoft.graph.userC3`), so
links stay within a copy and no two copies define the same type, method or module. Words that
shape a page's structure are never renamed, so every copy generates what the original does:
N copies give N times the original's pages, models, operations and tests (checked by
`scaled_counts_match`)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

# Words the page contract, HTTP or JSON give a meaning to: a type named like one of them
# (a placeholder called `value`, say) keeps its name rather than break the page.
_STRUCTURAL = frozenset("""
    properties property relationships relationship members member values value request requests response
    responses example examples permissions permission parameters parameter headers header body http json
    representation namespace microsoft graph resource complex type enum string int32 int64 boolean double
    single guid binary stream date datetimeoffset timeofday duration collection id name description
    get post put patch delete odata nextlink count select filter expand top skip orderby search
    """.split())


_TITLE = re.compile(r'^(title:\s*"?)([^"\n]*)("?[ \t]*)$', re.MULTILINE)


def type_names(docs: Path) -> list[str]:
    """Every type name the doc set links (lower-cased), through docgen's own read and link."""
    from docgen.config import Config
    from docgen.diagnostics import Sink
    from docgen.link import link
    from docgen.speed.cache import Cache
    from docgen.speed.parallel import Workers
    from docgen.pipeline import read_pages

    sink = Sink()
    with Workers() as workers:
        pages = read_pages(Config(input=docs, output=docs / "unused"), sink, Cache(None), workers)
    by_version: dict[str, list] = {}
    for page in pages:
        by_version.setdefault(page.version, []).append(page)
    names: set[str] = set()
    for group in by_version.values():
        spec = link(group, Sink())
        names.update(m.name.lower() for m in spec.models)
        names.update(e.name.lower() for e in spec.enums)
    return sorted(n for n in names if n not in _STRUCTURAL and re.fullmatch(r"\w+", n))


def make_scaled(docs: Path, target: Path, copies: int) -> int:
    """Write `copies` renamed copies of docs into target (emptied first); returns the page count."""
    names = type_names(docs)
    # longest first: a name that is a prefix of another never wins the alternation
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?!\w)",
        re.IGNORECASE,
    )
    shutil.rmtree(target, ignore_errors=True)
    pages = 0
    for path in sorted(docs.rglob("*.md")):
        rel = path.relative_to(docs)
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        # the title names the methods: suffixed too, so that titles without a type name
        # ("List members") do not collide across copies
        text = _TITLE.sub(lambda m: m.group(1) + m.group(2).rstrip() + " \0" + m.group(3), text, count=1)
        pieces = pattern.split(text)  # even pieces are text, odd ones a type name to suffix
        for k in range(1, copies + 1):
            suffix = f"C{k}"
            out = target / f"copy{k}" / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(
                "".join(p + suffix if i % 2 else p for i, p in enumerate(pieces)).replace("\0", suffix),
                encoding="utf-8",
                errors="surrogateescape",
            )
            pages += 1
    return pages
