"""Annotation comments (`<!-- { "blockType": "request", ... } -->`) that precede fences."""

from __future__ import annotations

from typing import Any

from docgen.blocks import Comment
from docgen.extract.lenient_json import LenientError, loads
from docgen.read import PageContext


def read_annotation(ctx: PageContext, comment: Comment) -> tuple[tuple[str, Any], ...] | None:
    """The annotation's keys in written order, or None when the comment holds no JSON object."""
    text = comment.text.strip()
    if not text.startswith("{"):
        return None
    try:
        value, repaired = loads(text)
    except LenientError as exc:
        ctx.report("DG401", comment.line + exc.line - 1, f"annotation is not JSON ({exc}); ignored")
        return None
    if not isinstance(value, dict):
        return None
    if repaired:
        ctx.report("DG401", comment.line, "annotation is not strict JSON; read leniently")
    return tuple(value.items())
