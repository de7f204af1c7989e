"""An offline Microsoft Graph made from the documented examples.

Every documented request that shows a response is answered with that response: matched
by HTTP method, path (segments compare case-insensitively, a ``{placeholder}`` of the
docs matches any segment; the documented path templates of the operation match too) and
the documented query, then the request body and headers. A request no example answers
gets a Graph-style 404 error body that names the closest documented paths.

For tests, through ``httpx.MockTransport``::

    mock = GraphMock()
    with GraphClient("token", transport=mock.transport()) as graph:
        with mock.use("user-list-messages"):  # this call, that documented example
            messages = graph.messages.list()

For tools in other languages, as a local HTTP server::

    python -m <package>.testing --port 8080

This module is static (docgen copies it as it is) and imports only the standard
library (httpx on ``transport()``). The examples are data: ``_examples.txt`` beside
it holds docgen's header line, then a JSON document read at run time.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import json
import re
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

if TYPE_CHECKING:
    import httpx

__all__ = [
    "Answer",
    "Example",
    "GraphMock",
    "Pinned",
    "load_examples",
    "main",
    "nearest",
]

DATA = Path(__file__).with_name("_examples.txt")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|<[^<>/]*>")
_VERSION = re.compile(r"^/(v\d+(\.\d+)?|beta)(?=/|$)", re.IGNORECASE)
# request headers every client sets: not what tells two examples apart
_NO_BODY = (204, 304)
_COMMON = {"authorization", "content-type", "content-length", "accept", "host"}


def _pattern(path: str) -> re.Pattern[str]:
    """A documented path as a regex: literal text compared case-insensitively, each
    placeholder any one segment, a trailing slash optional."""
    parts, last = [], 0
    for match in _PLACEHOLDER.finditer(path):
        parts.append(re.escape(path[last : match.start()]) + "[^/]+?")
        last = match.end()
    parts.append(re.escape(path[last:].rstrip("/")))
    return re.compile("".join(parts) + "/?", re.IGNORECASE)


def _literal(path: str) -> int:
    """How much of a path is literal text: the more, the more specific it is."""
    return len(_PLACEHOLDER.sub("", path))


def _query(query: str) -> tuple[tuple[str, str], ...]:
    """Decoded query pairs in order-free form; `$` option names in any case."""
    pairs = parse_qsl(query, keep_blank_values=True)
    return tuple(sorted((k.lower() if k.startswith("$") else k, v) for k, v in pairs))


@dataclass(frozen=True)
class Example:
    """One documented request and the response the docs show for it."""

    name: str  # the example's name on its page
    page: str  # the page, without `.md`
    source: str  # `page.md:line` of the request
    method_name: str  # the client method that makes this call
    module: str  # the (version) package whose client has it
    method: str
    url: str  # as documented
    prefix: str  # the path before the documented path (`/v1.0`)
    path: str  # the rest of the example's path, placeholders as documented
    templates: tuple[str, ...]  # the operation's documented paths
    query: tuple[tuple[str, str], ...]
    headers: tuple[
        tuple[str, str], ...
    ]  # documented request headers (lower-case names)
    body: Any  # the documented JSON request body, or None
    status: int
    response_headers: tuple[tuple[str, str], ...]
    response_body: str
    pattern: re.Pattern[str] = field(repr=False, compare=False)
    template_patterns: tuple[re.Pattern[str], ...] = field(repr=False, compare=False)

    @classmethod
    def of(cls, item: dict[str, Any]) -> Example:
        path, templates = str(item["path"]), tuple(item["templates"])
        return cls(
            name=str(item["name"]),
            page=str(item["page"]),
            source=str(item["source"]),
            method_name=str(item["method_name"]),
            module=str(item["module"]),
            method=str(item["method"]),
            url=str(item["url"]),
            prefix=str(item["prefix"]),
            path=path,
            templates=templates,
            query=tuple((str(k), str(v)) for k, v in item["query"]),
            headers=tuple((str(k), str(v)) for k, v in item["headers"]),
            body=item["body"],
            status=int(item["status"]),
            response_headers=tuple(
                (str(k), str(v)) for k, v in item["response_headers"]
            ),
            response_body=str(item["response_body"]),
            pattern=_pattern(path),
            template_patterns=tuple(_pattern(t) for t in templates),
        )

    @property
    def content(self) -> bytes:
        return self.response_body.encode("utf-8")


@dataclass(frozen=True)
class Answer:
    """What the mock answers: a status, headers, a body, and the example it came from."""

    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    example: Example | None  # None: no documented example answers (a 404)


@functools.cache
def load_examples(path: Path = DATA) -> tuple[Example, ...]:
    """The documented examples (read once per process)."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("#"):  # docgen's header line
        text = text.split("\n", 1)[1]
    document = json.loads(text)
    return tuple(Example.of(item) for item in document["examples"])


class GraphMock:
    """Answers requests with the documented responses; see the module's docstring."""

    def __init__(self, examples: Sequence[Example] | None = None) -> None:
        self.examples = tuple(load_examples() if examples is None else examples)
        self.prefixes = sorted({e.prefix for e in self.examples if e.prefix}, key=len)
        self.pinned: list[Example] = []
        self.calls: list[tuple[str, str, Example | None]] = []  # method, URL, example
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ choosing
    def find(self, key: str) -> Example:
        """The example a key names: its `page.md:line`, its page (`user-list-messages`,
        or with its folders, `beta/api/user-list-messages`: the page's first example), its
        name, or `page/name`. A key that names examples of several pages is refused."""
        key = key.strip().removesuffix(".md")
        found = [e for e in self.examples if e.source == key]
        found = found or [
            e
            for e in self.examples
            if key in (e.name, f"{_stem(e.page)}/{e.name}", f"{e.page}/{e.name}")
            or e.page == key
            or e.page.endswith("/" + key)
        ]
        pages = sorted({e.page for e in found})
        if not found:
            close = difflib.get_close_matches(
                key, sorted({_stem(e.page) for e in self.examples}), n=3
            )
            raise KeyError(f"no documented example is named {key!r}; close: {close}")
        if len(pages) > 1:
            raise KeyError(f"{key!r} names examples of several pages: {pages[:5]}")
        return found[0]

    def use(self, *keys: str) -> Pinned:
        """Answer with these documented examples (found as `find` does) the requests
        they match (same method, a documented path of theirs), before any other example:
        from now until `reset()`, or, used as a context manager, until it exits."""
        chosen = [self.find(key) for key in keys]
        self.pinned[:0] = chosen
        return Pinned(self, tuple(chosen))

    def reset(self) -> None:
        self.pinned.clear()
        self.calls.clear()

    # ------------------------------------------------------------------ answering
    def answer(
        self,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes = b"",
    ) -> Answer:
        """The documented response for a request (a 404 error body when none)."""
        split = urlsplit(url)
        path = unquote(split.path)
        prefix = self._prefix(path)
        path = path[len(prefix) :] or "/"
        query = _query(split.query)
        sent = {k.lower(): v for k, v in headers}
        try:
            sent_json = json.loads(body) if body else None
        except ValueError:
            sent_json = None
        method = method.upper()
        best: tuple[tuple[int, ...], Example] | None = None
        for rank, pool in enumerate((self.pinned, self.examples)):
            for example in pool:
                score = _score(example, method, prefix, path, query, sent, sent_json)
                if score is not None and (best is None or (-rank, *score) > best[0]):
                    best = ((-rank, *score), example)
            if best is not None:
                break
        chosen = best[1] if best is not None else None
        with self._lock:
            self.calls.append((method, url, chosen))
        if chosen is None:
            return self._not_found(method, path)
        return Answer(chosen.status, chosen.response_headers, chosen.content, chosen)

    def _prefix(self, path: str) -> str:
        for prefix in reversed(self.prefixes):  # the longest first
            if path.lower().startswith(prefix.lower() + "/"):
                return path[: len(prefix)]
        match = _VERSION.match(path)
        return match.group(0) if match else ""

    def closest(self, method: str, path: str, n: int = 3) -> list[str]:
        """The documented `METHOD /path` lines most like this one (a placeholder compares
        as the request's segment in its place)."""
        lines = sorted({f"{e.method} {t}" for e in self.examples for t in e.templates})
        return nearest(f"{method} {path}", lines, n)

    def _not_found(self, method: str, path: str) -> Answer:
        closest = self.closest(method, path)
        hint = f"; the closest documented path is {closest[0]}" if closest else ""
        error = {
            "error": {
                "code": "ResourceNotFound",
                "message": f"No documented example answers {method} {path}{hint}.",
                "innerError": {
                    "request-id": "docgen-mock",
                    "date": "2021-01-01T00:00:00",
                    "closest": closest,
                },
            }
        }
        content = json.dumps(error).encode("utf-8")
        return Answer(404, (("Content-Type", "application/json"),), content, None)

    # ------------------------------------------------------------------ serving
    def transport(self) -> httpx.MockTransport:
        """An httpx transport (for sync and async clients) that answers from the docs."""
        import httpx

        def handle(request: httpx.Request) -> httpx.Response:
            answer = self.answer(
                request.method,
                str(request.url),
                list(request.headers.items()),
                request.content,
            )
            return httpx.Response(
                answer.status, headers=list(answer.headers), content=answer.content
            )

        return httpx.MockTransport(handle)

    def server(self, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
        """A real HTTP server answering from the docs (not started: `serve_forever()`,
        or `start()` for a background thread); `server.server_address` has its port."""
        mock = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _reply(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                answer = mock.answer(
                    self.command, self.path, list(self.headers.items()), body
                )
                content = b"" if answer.status in _NO_BODY else answer.content
                self.send_response(answer.status)
                for name, value in answer.headers:
                    if name.lower() not in ("content-length", "transfer-encoding"):
                        self.send_header(name, value)
                if answer.status not in _NO_BODY:  # HTTP carries no body on a 204, 304
                    self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _reply
            do_HEAD = do_OPTIONS = _reply

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return ThreadingHTTPServer((host, port), Handler)

    def start(self, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
        """server() running in a daemon thread; `shutdown()` stops it."""
        server = self.server(host, port)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


@dataclass(frozen=True)
class Pinned:
    """Examples `GraphMock.use` pinned; leaving its `with` block unpins them."""

    mock: GraphMock
    examples: tuple[Example, ...]

    def __enter__(self) -> tuple[Example, ...]:
        return self.examples

    def __exit__(self, *exc: object) -> None:
        for example in self.examples:
            if example in self.mock.pinned:
                self.mock.pinned.remove(example)


def nearest(line: str, documented: Sequence[str], n: int = 3) -> list[str]:
    """Of documented `METHOD /path` lines, the n most like `line`, best first."""
    wanted = line.lower()
    segments = wanted.split("/")

    def aligned(other: str) -> str:
        parts = other.lower().split("/")
        return "/".join(
            segments[i] if i < len(segments) and _PLACEHOLDER.fullmatch(part) else part
            for i, part in enumerate(parts)
        )

    scored = [
        (difflib.SequenceMatcher(None, wanted, aligned(other)).ratio(), other)
        for other in documented
    ]
    scored.sort(key=lambda item: -item[0])
    return [other for _, other in scored[:n]]


def _stem(page: str) -> str:
    return page.rsplit("/", 1)[-1]


def _score(
    example: Example,
    method: str,
    prefix: str,
    path: str,
    query: tuple[tuple[str, str], ...],
    sent: dict[str, str],
    sent_json: Any,
) -> tuple[int, ...] | None:
    """How well a documented example fits a request (higher is better), or None: its
    own path first, then the operation's documented paths; the same version prefix, more
    literal text, the same query, the same body, the same headers."""
    if example.method != method:
        return None
    if example.pattern.fullmatch(path):
        by_path, literal = 2, _literal(example.path)
    else:
        fits = [
            t
            for t, p in zip(example.templates, example.template_patterns)
            if p.fullmatch(path)
        ]
        if not fits:
            return None
        by_path, literal = 1, max(_literal(t) for t in fits)
    same_prefix = int(prefix.lower() == example.prefix.lower())
    if query == example.query:
        by_query = 2
    else:
        by_query = int(set(example.query) <= set(query) and bool(example.query))
    same_body = int(example.body is not None and example.body == sent_json)
    same_headers = sum(
        1
        for name, value in example.headers
        if name not in _COMMON and sent.get(name) == value
    )
    return (by_path, same_prefix, literal, by_query, same_body, same_headers)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m <package>.testing --port N`: serve the documented examples over HTTP."""
    name = __spec__.name if __spec__ is not None else "testing"
    parser = argparse.ArgumentParser(
        prog=f"python -m {name}",
        description="An offline Microsoft Graph answering every documented request with "
        "its documented response (a Graph-style 404 for any other request).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=8080, help="port to listen on (0: any free port)"
    )
    options = parser.parse_args(argv)
    mock = GraphMock()
    server = mock.server(options.host, options.port)
    host, port = server.server_address[:2]
    print(
        f"serving {len(mock.examples)} documented examples on http://{host!s}:{port}",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
