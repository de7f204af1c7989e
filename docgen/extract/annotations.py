"""Annotation comments (`<!-- { "blockType": "request", ... } -->`) that precede fences."""

from __future__ import annotations

from typing import Any

from docgen.blocks import Comment
from docgen.diagnostics import Sink
from docgen.extract.lenient_json import LenientError, loads
from docgen.ir import Span


def read_annotation(comment: Comment, display: str, sink: Sink) -> tuple[tuple[str, Any], ...] | None:
    """The annotation's keys in written order, or None when the comment holds no JSON object."""
    text = comment.text.strip()
    if not text.startswith("{"):
        return None
    try:
        value, repaired = loads(text)
    except LenientError as exc:
        sink.report(
            "DG401", Span(path=display, line=comment.line + exc.line - 1), f"annotation is not JSON ({exc}); ignored"
        )
        return None
    if not isinstance(value, dict):
        return None
    if repaired:
        sink.report("DG401", Span(path=display, line=comment.line), "annotation is not strict JSON; read leniently")
    return tuple(value.items())
