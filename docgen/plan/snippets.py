"""Usage snippets: each method's docstring shows the call of its first documented example,
made from the same `ExampleTest` as that example's generated test, and the test runs the
docstring's text against the offline mock (so a snippet cannot drift from the client)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from docgen import layout
from docgen.escape import Code
from docgen.plan.example_tests import Construct, ExampleTest
from docgen.plan.operations import MethodPlan

USAGE_COLUMN = 12  # where a method's docstring prints its snippet (4 inside the method body's 8)
USAGE_HEADING = "Usage (the documented example at {source}; its generated test runs this):"


def with_usage(method: MethodPlan, tests: Sequence[ExampleTest], models: str) -> MethodPlan:
    """The method with the usage snippet of its first example test that calls it through its
    parameters (not through `url=`) and is no documented redirect (the offline mock that runs
    the snippet has no content behind it), or unchanged when it has none. `models` is the dotted
    models package the snippet imports constructed classes from."""
    test = next((t for t in tests if not t.redirect and not any(k.name == "url" for k in t.call.kwargs)), None)
    if test is None:
        return method
    source = test.request_span  # a comment-escaped `page:line`, inert in a docstring
    return replace(
        method,
        docstring=method.docstring + "\n\n" + USAGE_HEADING.format(source=source),
        usage=snippet(test, models, is_async=False),
        usage_async=snippet(test, models, is_async=True),
        usage_key=test.mock_key,
        usage_test=test.number,
    )


def snippet(test: ExampleTest, models: str, *, is_async: bool) -> Code:
    """The example's call as a user writes it, `graph` being the client: imports of the
    classes it constructs, the body and action arguments built through attributes, then
    `result = graph.<method>(...)`. Laid out for USAGE_COLUMN, returned with that indent
    removed (the docstring puts it back)."""
    classes: set[str] = set()
    lines: list[str] = []
    if test.construct is not None:
        _classes(test.construct, classes)
        lines.append(layout.assign(layout.construct(test.construct, USAGE_COLUMN), "body", USAGE_COLUMN))
    for name, value in test.arguments:
        _classes(value, classes)
        lines.append(layout.assign(layout.construct(value, USAGE_COLUMN), name, USAGE_COLUMN))
    call = test.call
    if call.body is not None and call.body == test.request_const:  # the documented mapping, as is
        lines.append(layout.assign(layout.pretty(test.request_body, USAGE_COLUMN), "body", USAGE_COLUMN))
        call = replace(call, body=Code("body"))
    head = "result = await graph." if is_async else "result = graph."
    lines.append(head + layout.client_call(call, USAGE_COLUMN, len(head)))
    if classes:
        lines.insert(0, layout.from_import(sorted(classes), models, USAGE_COLUMN) + "\n")
    text = "\n".join(lines)
    pad = " " * USAGE_COLUMN
    return Code("\n".join(line.removeprefix(pad) for line in text.split("\n")))


def _classes(value: Any, out: set[str]) -> None:
    if isinstance(value, Construct):
        out.add(str(value.class_name))
        for _, item in value.kwargs:
            _classes(item, out)
    elif isinstance(value, list):
        for item in value:
            _classes(item, out)


__all__ = ["USAGE_COLUMN", "snippet", "with_usage"]
