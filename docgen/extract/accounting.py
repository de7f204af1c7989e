"""Nothing silently lost: every fence, table and annotation of a page is either used (a fact was
read from it) or reported (DG130, DG131, DG132). Counted here, carried in `Page.blocks`."""

from __future__ import annotations

from docgen.blocks import Fence, Table
from docgen.extract.sections import Concept, Placed
from docgen.ir import BlockCounts, Page
from docgen.read import PageContext


def fact_lines(page: Page) -> set[int]:
    """The lines every fact of the page was read from."""
    lines: set[int] = set()
    for op in page.operations:
        lines.update(p.span.line for p in op.paths)
        lines.update(h.span.line for h in op.headers)
        lines.update(p.span.line for p in op.parameters)
        lines.update(p.span.line for p in op.permissions)
        if op.request_body is not None:
            lines.add(op.request_body.span.line)
            lines.update(f.span.line for f in op.request_body.fields)
        if op.response is not None:
            lines.add(op.response.span.line)
        for example in op.examples:
            lines.add(example.request.span.line)
            if example.response is not None:
                lines.add(example.response.span.line)
    for model in page.models:
        lines.update(f.span.line for f in model.fields)
    for enum in page.enums:
        lines.update(m.span.line for m in enum.members)
    return lines


def account(
    ctx: PageContext, placed: list[Placed], annotations: dict[int, tuple], bound: dict[int, int], page: Page
) -> BlockCounts:
    """Counts what of the page was used, and reports each fence, table and annotation that was not.
    `bound` maps each annotation comment's line to the line of the fence it annotates (or 0)."""
    facts = fact_lines(page)
    used_fences: set[int] = set()
    counts = dict.fromkeys(("fences_used", "fences_reported", "tables_used", "tables_reported"), 0)
    for item in placed:
        block = item.block
        if isinstance(block, Fence):
            end = block.line + block.content.count("\n") + 1
            annotation = dict(annotations.get(block.line, ()))
            used = (
                any(block.line <= line <= end for line in facts)
                or (item.part is Concept.JSON_REPRESENTATION and bool(page.models))
                or annotation.get("blockType") == "ignored"
            )
            if used:
                used_fences.add(block.line)
                counts["fences_used"] += 1
            else:
                counts["fences_reported"] += 1
                what = block.info.split()[0] if block.info.split() else "no language"
                ctx.report(
                    "DG130",
                    block.line,
                    f"code fence ({what}) not read: no request block, example or JSON representation",
                )
        elif isinstance(block, Table):
            end = block.rows[-1].line if block.rows else block.line + 1
            if any(block.line <= line <= end for line in facts):
                counts["tables_used"] += 1
            else:
                counts["tables_reported"] += 1
                columns = ", ".join(c.text for c in block.header[:4] if c.text)
                ctx.report("DG131", block.line, f"table not read (columns: {columns[:80]})")
    annotations_used = 0
    for comment_line, fence_line in sorted(bound.items()):
        if fence_line in used_fences:
            annotations_used += 1
        else:
            ctx.report("DG132", comment_line, "annotation not read: no fence docgen reads follows it")
    return BlockCounts(**counts, annotations_used=annotations_used, annotations_reported=len(bound) - annotations_used)
