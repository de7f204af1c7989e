"""Example fences, found by content: `METHOD url` opens a request, `HTTP/1.1 201 Created` a
response. Annotations only add facts. Requests pair with responses by annotation name, else by
order."""

from __future__ import annotations

import re
from typing import Any

from docgen.extract.lenient_json import LenientError, loads
from docgen.ir import Body, BodyKind, Example, Header, HttpMessage, HttpRequest, HttpResponse
from docgen.read import PageContext

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
REQUEST_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\S.*?)(?:\s+HTTP/\d(?:\.\d)?)?\s*$")
STATUS_LINE = re.compile(r"^(?:HTTP(?:/\d(?:\.\d)?)?\s+)?([1-5]\d\d)\b")
BARE_STATUS = re.compile(r"^[1-5]\d\d\s+[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+)*$")  # `202 Accepted`, no `HTTP`
HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)\s*:\s*(.*)$")


def first_line(content: str) -> tuple[int, str]:
    for offset, line in enumerate(content.split("\n")):
        if line.strip():
            return offset, line.strip()
    return 0, ""


def classify(content: str) -> str | None:
    """'request', 'response', or None for any other fence."""
    _, line = first_line(content)
    if REQUEST_LINE.match(line):
        return "request"
    if (line.upper().startswith("HTTP") and STATUS_LINE.match(line)) or BARE_STATUS.match(line):
        return "response"
    return None


def is_example_fence(fence: Any) -> bool:
    """A fence in the HTTP request section that is a full example (a request line followed by a
    body, or a full URL followed by headers; or a response), not a block of `METHOD /path` lines."""
    kind = classify(fence.content)
    if kind == "response":
        return True
    if kind != "request":
        return False
    lines = [line.strip() for line in fence.content.strip().split("\n")]
    blank = lines.index("") if "" in lines else len(lines)
    head, rest = lines[1:blank], lines[blank:]

    def content(line: str) -> bool:
        return bool(line) and not line.startswith(("#", "//", "<!--")) and not _ANY_REQUEST.match(line)

    if any(content(line) for line in rest):
        return True  # a body after a blank line
    # a full URL followed by header lines; relative `METHOD /path` lines (even with a stray header) stay paths
    start = REQUEST_LINE.match(lines[0])
    absolute = bool(start and start.group(2).lower().startswith(("http://", "https://")))
    other = [line for line in head if content(line)]
    return absolute and bool(other) and all(HEADER_LINE.match(line) for line in other)


_ANY_REQUEST = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b")


def parse_http(
    ctx: PageContext, content: str, fence_line: int, annotation: tuple[tuple[str, Any], ...]
) -> HttpMessage | None:
    """An example fence as an HttpRequest or HttpResponse (None when it is neither); the fence's
    content starts on fence_line + 1."""
    lines = content.split("\n")
    offset, start = first_line(content)
    line_no = fence_line + 1 + offset
    request = REQUEST_LINE.match(start)
    status_match = None if request else STATUS_LINE.match(start)
    if not request and not status_match:
        return None
    headers: list[Header] = []
    index = offset + 1
    while index < len(lines) and lines[index].strip():
        header = HEADER_LINE.match(lines[index].strip())
        if not header:
            break  # a body with no blank line before it
        headers.append(
            Header(
                name=header.group(1),
                value=header.group(2).strip(),
                span=ctx.span(fence_line + 1 + index),
            )
        )
        index += 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    # Some pages write headers after the blank line (then another blank line, or the body):
    # they are headers, not a body.
    after = index
    while after < len(lines) and lines[after].strip() and HEADER_LINE.match(lines[after].strip()):
        after += 1
    if after > index:
        rest = [line.strip() for line in lines[after:] if line.strip()]
        if not rest or (not headers and (not lines[after].strip() or lines[after].lstrip()[:1] in "{[")):
            for number in range(index, after):
                header = HEADER_LINE.match(lines[number].strip())
                assert header is not None
                headers.append(
                    Header(name=header.group(1), value=header.group(2).strip(), span=ctx.span(fence_line + 1 + number))
                )
            index = after
            while index < len(lines) and not lines[index].strip():
                index += 1
    # A request line after the first (another documented URL of the call, written under the
    # example or after its body) is not part of the body: the first request is the example.
    end = len(lines)
    if request:
        while end > index and (not lines[end - 1].strip() or _ANY_REQUEST.match(lines[end - 1].strip())):
            end -= 1
        for number in range(end, len(lines)):
            if _ANY_REQUEST.match(lines[number].strip()):
                ctx.report(
                    "DG408",
                    fence_line + 1 + number,
                    "a further request line in an example fence is not tested: the example is its first request",
                )
    body_start = fence_line + 1 + index
    body_text = "\n".join(lines[index:end]).rstrip()
    body = _body(ctx, body_text, headers, body_start)
    span = ctx.span(line_no)
    if request:
        return HttpRequest(
            method=request.group(1),
            url=request.group(2).strip(),
            headers=tuple(headers),
            body=body,
            annotation=annotation,
            span=span,
        )
    return HttpResponse(
        status=int(status_match.group(1)), headers=tuple(headers), body=body, annotation=annotation, span=span
    )


def bare_response(
    ctx: PageContext, content: str, fence_line: int, annotation: tuple[tuple[str, Any], ...]
) -> HttpResponse | None:
    """A response written as its JSON body alone, under a Response label: status 200 (note
    DG409), the body read as JSON; None when it is not JSON."""
    offset, _ = first_line(content)
    line = fence_line + 1 + offset
    body = _body(ctx, content, [Header(name="Content-Type", value="application/json")], line)
    if body.json is None:
        return None
    ctx.report("DG409", line, "a JSON fence under a Response label is read as the response, with status 200")
    return HttpResponse(status=200, headers=(), body=body, annotation=annotation, span=ctx.span(line))


def header_value(headers: tuple[Header, ...] | list[Header], name: str) -> str:
    for header in headers:
        if header.name.lower() == name:
            return header.value
    return ""


def _body(ctx: PageContext, text: str, headers: list[Header], line: int) -> Body:
    content_type = header_value(headers, "content-type").lower()
    stripped = text.strip()
    if not stripped:
        return Body(kind=BodyKind.NONE, content_type=content_type)
    looks_json = stripped.startswith(("{", "["))
    if "json" in content_type or (not content_type and looks_json):
        try:
            value, repaired = loads(stripped)
        except LenientError as exc:
            ctx.report("DG402", line + exc.line - 1, f"example body is not valid JSON: {exc}")
            return Body(kind=BodyKind.JSON, text=stripped, json=None, content_type=content_type)
        if repaired:
            ctx.report("DG403", line, "example body is not strict JSON; it was repaired")
        return Body(kind=BodyKind.JSON, text=stripped, json=value, content_type=content_type)
    kind = BodyKind.TEXT if content_type.startswith("text/") or not content_type else BodyKind.BINARY
    return Body(kind=kind, text=stripped, content_type=content_type)


def pair_examples(messages: list[HttpMessage]) -> tuple[Example, ...]:
    """Requests paired with responses: a response names its request by annotation name,
    else it answers the latest request that has no response yet."""
    examples: list[list[Any]] = []  # [request, response]
    for message in messages:
        if isinstance(message, HttpRequest):
            examples.append([message, None])
            continue
        name = message.annotated("name")
        targets = []
        if isinstance(name, list):
            # a response that answers several requests names each of them: it answers them all
            names = {str(n) for n in name}
            targets = [e for e in examples if e[1] is None and str(e[0].annotated("name")) in names]
        elif name:
            targets = [e for e in examples if e[1] is None and e[0].annotated("name") == name][:1]
        if not targets:
            targets = [e for e in reversed(examples) if e[1] is None][:1]
        for target in targets:
            target[1] = message
    result = []
    for number, (request, response) in enumerate(examples, start=1):
        name = str(request.annotated("name") or f"example_{number}")
        result.append(Example(name=name, request=request, response=response, span=request.span))
    return tuple(result)
