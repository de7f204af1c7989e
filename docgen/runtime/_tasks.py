"""Graph task helpers: JSON batching, large file uploads, long-running operations, delta.

This module is static (docgen copies it as it is, like ``_runtime``): it imports only the
standard library, httpx and its sibling ``_runtime``. The clients inherit `SyncTasks` or
`AsyncTasks` (``graph.batch()``, ``graph.large_upload(...)``); methods documented with a
``202 Accepted`` and a monitor URL return an `Operation`, delta methods a `DeltaPager`.
"""

import base64
import binascii
import json
import re
import time
from collections.abc import (
    AsyncIterator,
    Callable,
    Coroutine,
    Iterator,
    Mapping,
    Sequence,
)
from typing import IO, Any, Generic, ParamSpec, Self, TypeVar, overload
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from . import _runtime as _rt

# Re-exported by the package beside ``_runtime.__all__`` (docgen reads this literal).
__all__ = [  # noqa: RUF022
    "Batch",
    "AsyncBatch",
    "BatchItem",
    "LargeFileUpload",
    "AsyncLargeFileUpload",
    "Operation",
    "AsyncOperation",
    "OperationStatus",
    "OperationFailedError",
    "OperationTimeoutError",
    "DeltaPager",
    "AsyncDeltaPager",
]

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")

# --------------------------------------------------------------------------
# JSON batching ($batch)
# --------------------------------------------------------------------------

MAX_BATCH = 20
"""The most requests one JSON batch may hold (Graph answers 400 beyond it)."""

_JSON = re.compile(r"^application/([a-z0-9.+-]*\+)?json\b", re.IGNORECASE)
_NOT_FORWARDED = frozenset({"authorization", "user-agent", "accept"})
# JSON batch bodies (OData JSON format): JSON for JSON media types, the string itself for
# text/*, base64 (or base64url) for every other media type.
_TEXT = re.compile(r"^text/", re.IGNORECASE)


def _unbase64(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    for altchars in (None, b"-_"):
        try:
            return base64.b64decode(padded, altchars=altchars, validate=True)
        except (binascii.Error, ValueError):
            continue
    return text.encode("utf-8")


class _Recorded(Exception):
    """Carries a request a generated method made while a batch records it."""

    def __init__(
        self,
        core: Any,
        method: str,
        url: str,
        body: Any,
        kind: str | None,
        headers: Mapping[str, str | None] | None,
        expected: Any,
        permissions: tuple[str, ...],
    ) -> None:
        self.core = core
        self.method = method
        self.url = url
        self.body = body
        self.kind = kind
        self.headers = headers
        self.expected = expected
        self.permissions = permissions


def _record(
    core: Any,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | None,
    json_body: Any,
    content: Any,
    headers: Mapping[str, str | None] | None,
    expected: Any,
    extra_body: Mapping[str, Any] | None,
    content_type: str | None,
    permissions: tuple[str, ...],
) -> httpx.Response:
    body, kind = core._body(json_body, content, extra_body, content_type)
    url = core._url(path, params)
    raise _Recorded(core, method, url, body, kind, headers, expected, permissions)


class BatchItem(Generic[R]):
    """One call of a batch. After the batch is sent, `result()` returns what the method
    returns on its own (a model, a pager, None...) or raises the error it would raise.
    """

    def __init__(
        self,
        id: str,
        call: Callable[[], Any],
        recorded: _Recorded,
        depends_on: tuple["BatchItem[Any]", ...],
    ) -> None:
        self.id = id
        self.depends_on = depends_on
        self._call = call
        self._recorded = recorded
        self.response: httpx.Response | None = None
        """The item's own answer, as an httpx.Response (status, headers, body)."""
        self._value: Any = None
        self._error: _rt.GraphError | None = None
        self._done = False
        self.attempts = 0

    @property
    def method(self) -> str:
        return self._recorded.method

    @property
    def url(self) -> str:
        return self._recorded.url

    @property
    def done(self) -> bool:
        """Whether the batch holding this call has been sent and answered."""
        return self._done

    @property
    def status_code(self) -> int | None:
        return None if self.response is None else self.response.status_code

    @property
    def error(self) -> _rt.GraphError | None:
        """The typed error of a failed call (as the method raises it), else None."""
        self._check_done()
        return self._error

    def result(self) -> R:
        """The method's return value; raises its typed error when the call failed."""
        self._check_done()
        if self._error is not None:
            raise self._error
        value: R = self._value
        return value

    def _check_done(self) -> None:
        if not self._done:
            raise RuntimeError("the batch holding this call has not been sent yet")

    def _entry(self, base_url: str, inside: set[str]) -> dict[str, Any]:
        rec = self._recorded
        if rec.core.base_url != base_url:
            raise ValueError(
                f"a batch sent to {base_url} cannot carry a call to {rec.core.base_url}"
            )
        if not rec.url.startswith(base_url + "/"):
            raise ValueError(f"a batch cannot carry a request to {rec.url}")
        entry: dict[str, Any] = {
            "id": self.id,
            "method": rec.method,
            "url": rec.url[len(base_url) :],
        }
        headers: dict[str, str] = {}
        for source in (rec.core.default_headers, rec.headers or {}):
            for name, value in source.items():
                if value is not None and name.lower() not in _NOT_FORWARDED:
                    headers[name] = value
        if rec.body is not None:
            headers.setdefault("Content-Type", rec.kind or "application/octet-stream")
            data = rec.body.encode() if isinstance(rec.body, str) else rec.body
            if rec.kind and _JSON.match(rec.kind):
                entry["body"] = json.loads(data)
            elif isinstance(data, bytes) and _TEXT.match(rec.kind or ""):
                entry["body"] = data.decode("utf-8")  # text/*: the string itself
            elif isinstance(data, bytes):  # any other media type: base64
                entry["body"] = base64.b64encode(data).decode("ascii")
            else:
                raise TypeError("a batch cannot carry a streamed body (send it alone)")
        if headers:
            entry["headers"] = headers
        depends = [d.id for d in self.depends_on if d.id in inside]
        if depends:
            entry["dependsOn"] = depends
        return entry

    def _answer(self, answer: Mapping[str, Any] | None, batch: httpx.Response) -> None:
        rec = self._recorded
        request = httpx.Request(rec.method, rec.url)
        if answer is None:
            self.response = httpx.Response(502, request=request)
            self._error = _rt.ResponseParseError(
                f"the batch response has no answer for request {self.id!r}",
                response=batch,
            )
            return
        status = answer.get("status")
        headers = answer.get("headers")
        headers = {
            str(k): str(v)
            for k, v in (headers.items() if isinstance(headers, Mapping) else ())
        }
        body = answer.get("body")
        kind = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        if body is None:
            content = b""
        elif isinstance(body, str) and _TEXT.match(kind):
            content = body.encode("utf-8")  # text/*: the string itself
        elif isinstance(body, str) and not _JSON.match(kind):
            content = _unbase64(body)
        else:
            content = json.dumps(body, ensure_ascii=False).encode("utf-8")
            if not kind:
                headers["Content-Type"] = "application/json"
        if not isinstance(status, int) or isinstance(status, bool):
            status = 502
        self.response = httpx.Response(
            status, headers=headers, content=content, request=request
        )

    def _replay_hook(self) -> Callable[..., httpx.Response]:
        used = [False]
        response = self.response

        def replay(core: Any, method: str, path: str, **options: Any) -> httpx.Response:
            if used[0] or response is None:
                raise RuntimeError("a batched method made a second request")
            used[0] = True
            done: httpx.Response = core._done(
                response, options["expected"], options["permissions"]
            )
            return done

        return replay


def _groups(items: Sequence[BatchItem[Any]]) -> list[list[BatchItem[Any]]]:
    """The items in batches of at most MAX_BATCH, each chain of dependsOn in one batch."""
    root: dict[str, str] = {item.id: item.id for item in items}

    def find(key: str) -> str:
        while root[key] != key:
            root[key] = root[root[key]]
            key = root[key]
        return key

    for item in items:
        for dependency in item.depends_on:
            if dependency.id in root:
                root[find(item.id)] = find(dependency.id)
    components: dict[str, list[BatchItem[Any]]] = {}
    for item in items:
        components.setdefault(find(item.id), []).append(item)
    batches: list[list[BatchItem[Any]]] = []
    for component in components.values():
        if len(component) > MAX_BATCH:
            raise ValueError(
                f"{len(component)} calls depend on each other; a batch holds {MAX_BATCH}"
            )
        target = next(
            (b for b in batches if len(b) + len(component) <= MAX_BATCH), None
        )
        if target is None:
            batches.append(list(component))
        else:
            target.extend(component)
    return batches


class _BatchBase:
    def __init__(self, core: Any) -> None:
        self._core = core
        self.items: list[BatchItem[Any]] = []
        self._sent = False

    def _new(
        self, recorded: _Recorded, call: Callable[[], Any], after: Sequence[Any]
    ) -> BatchItem[Any]:
        if self._sent:
            raise RuntimeError("this batch has been sent; start a new one")
        for dependency in after:
            if not any(dependency is item for item in self.items):
                raise ValueError("depends_on names a call that is not in this batch")
        item: BatchItem[Any] = BatchItem(
            str(len(self.items) + 1), call, recorded, tuple(after)
        )
        item._entry(
            self._core.base_url, set()
        )  # a request no batch can carry fails here
        self.items.append(item)
        return item

    def _payload(self, chunk: list[BatchItem[Any]]) -> dict[str, Any]:
        inside = {item.id for item in chunk}
        return {
            "requests": [item._entry(self._core.base_url, inside) for item in chunk]
        }

    def _read(self, chunk: list[BatchItem[Any]], response: httpx.Response) -> None:
        data = _rt.parse_json(response)
        answers = data.get("responses") if isinstance(data, dict) else None
        if not isinstance(answers, list):
            raise _rt.ResponseParseError(
                "expected a JSON object with a 'responses' array", response=response
            )
        by_id = {
            str(a.get("id")): a for a in answers if isinstance(a, dict) and "id" in a
        }
        for item in chunk:
            item.attempts += 1
            item._answer(by_id.get(item.id), response)

    def _retries(
        self, chunk: list[BatchItem[Any]], started: float
    ) -> tuple[list[BatchItem[Any]], float]:
        """The items to send again (429 and the like, as the core's retry policy says,
        with the calls that failed only because they depend on one), and the wait."""
        core, spent = self._core, time.monotonic() - started
        again: list[BatchItem[Any]] = []
        wait = 0.0
        for item in chunk:
            if item.response is None or item._error is not None:
                continue
            delay = core._retry_delay(
                item.method,
                item.attempts - 1,
                core.max_retries,
                spent,
                item.response,
                None,
            )
            if delay is not None:
                again.append(item)
                wait = max(wait, delay)
        grew = True
        while again and grew:
            grew = False
            for item in chunk:
                if (
                    item not in again
                    and item.status_code == 424
                    and any(d in again for d in item.depends_on)
                ):
                    again.append(item)
                    grew = True
        return again, wait

    def _settle(self, item: BatchItem[Any]) -> None:
        item._done = True


class Batch(_BatchBase):
    """Calls of the generated methods collected and sent as JSON batches (``$batch``, at
    most 20 requests each: larger batches are split, keeping every dependsOn chain
    together). Each call's answer is parsed as the method parses its own response.

        with graph.batch() as batch:
            me = batch.add(graph.users.get_me)
            top = batch.add(graph.messages.list, top=5)
        print(me.result().display_name, [m.subject for m in top.result()])
    """

    _core: "_rt.SyncCore"

    def add(
        self, method: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs
    ) -> BatchItem[R]:
        """Record ``method(*args, **kwargs)`` (a generated method of this client)."""
        return self._add((), method, *args, **kwargs)

    def add_after(
        self,
        depends_on: Sequence[BatchItem[Any]],
        method: Callable[P, R],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> BatchItem[R]:
        """Like `add`, run by Graph only after the calls in `depends_on` succeeded
        (``dependsOn``; when one fails, this one fails with 424 Failed Dependency)."""
        return self._add(depends_on, method, *args, **kwargs)

    def _add(
        self,
        after: Sequence[BatchItem[Any]],
        method: Callable[P, R],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> BatchItem[R]:
        token = _rt._INTERCEPT.set(_record)
        try:
            method(*args, **kwargs)
        except _Recorded as recorded:
            return self._new(recorded, lambda: method(*args, **kwargs), after)
        finally:
            _rt._INTERCEPT.reset(token)
        raise RuntimeError("the method sent no request; it cannot be batched")

    def send(self) -> list[BatchItem[Any]]:
        """Send every call (once), retrying the items answered 429 after their
        Retry-After; then each item holds its result or its error."""
        if self._sent:
            return self.items
        self._sent = True
        started = time.monotonic()
        pending = list(self.items)
        while pending:
            again: list[BatchItem[Any]] = []
            wait = 0.0
            for chunk in _groups(pending):
                response = self._core.request(
                    "POST",
                    "/$batch",
                    json_body=self._payload(chunk),
                    expected=_rt.SUCCESS,
                )
                self._read(chunk, response)
                retry, delay = self._retries(chunk, started)
                again += retry
                wait = max(wait, delay)
            if again:
                self._core._sleep(wait)
            pending = again
        for item in self.items:
            self._finish(item)
        return self.items

    def _finish(self, item: BatchItem[Any]) -> None:
        if item._error is None:
            token = _rt._INTERCEPT.set(item._replay_hook())
            try:
                item._value = item._call()
            except _rt.GraphError as exc:
                item._error = exc
            finally:
                _rt._INTERCEPT.reset(token)
        self._settle(item)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.send()


class AsyncBatch(_BatchBase):
    """The asyncio twin of `Batch`: ``async with graph.batch() as batch:`` (``add`` is not
    awaited; the batch is sent on leaving the block, or by ``await batch.send()``)."""

    _core: "_rt.AsyncCore"

    def add(
        self,
        method: Callable[P, Coroutine[Any, Any, R]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> BatchItem[R]:
        """Record ``await method(*args, **kwargs)`` (a generated method of this client)."""
        return self._add((), method, *args, **kwargs)

    def add_after(
        self,
        depends_on: Sequence[BatchItem[Any]],
        method: Callable[P, Coroutine[Any, Any, R]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> BatchItem[R]:
        """Like `add`, after the calls in `depends_on` (``dependsOn``)."""
        return self._add(depends_on, method, *args, **kwargs)

    def _add(
        self,
        after: Sequence[BatchItem[Any]],
        method: Callable[P, Coroutine[Any, Any, R]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> BatchItem[R]:
        coroutine = method(*args, **kwargs)
        token = _rt._INTERCEPT.set(_record)
        try:  # a generated method requests before it awaits anything else
            coroutine.send(None)
        except _Recorded as recorded:
            return self._new(recorded, lambda: method(*args, **kwargs), after)
        except StopIteration:
            pass
        else:
            coroutine.close()
        finally:
            _rt._INTERCEPT.reset(token)
        raise RuntimeError("the method sent no request; it cannot be batched")

    async def send(self) -> list[BatchItem[Any]]:
        """Send every call (see `Batch.send`)."""
        if self._sent:
            return self.items
        self._sent = True
        started = time.monotonic()
        pending = list(self.items)
        while pending:
            again: list[BatchItem[Any]] = []
            wait = 0.0
            for chunk in _groups(pending):
                response = await self._core.request(
                    "POST",
                    "/$batch",
                    json_body=self._payload(chunk),
                    expected=_rt.SUCCESS,
                )
                self._read(chunk, response)
                retry, delay = self._retries(chunk, started)
                again += retry
                wait = max(wait, delay)
            if again:
                await self._core._sleep(wait)
            pending = again
        for item in self.items:
            if item._error is None:
                token = _rt._INTERCEPT.set(item._replay_hook())
                try:
                    item._value = await item._call()
                except _rt.GraphError as exc:
                    item._error = exc
                finally:
                    _rt._INTERCEPT.reset(token)
            self._settle(item)
        return self.items

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            await self.send()


# --------------------------------------------------------------------------
# Large file uploads (upload sessions)
# --------------------------------------------------------------------------

UPLOAD_UNIT = 320 * 1024
"""Chunks of an upload session are multiples of 320 KiB (but the last)."""
DEFAULT_CHUNK = 10 * UPLOAD_UNIT
MAX_CHUNK = 60 * 1024 * 1024


def _upload_url(session: Any) -> str:
    if isinstance(session, str):
        return session
    url = (
        session.get("uploadUrl")
        if isinstance(session, Mapping)
        else getattr(session, "upload_url", None)
    )
    if not isinstance(url, str) or not url:
        raise ValueError("the upload session has no uploadUrl")
    return url


def _file_size(file: IO[bytes]) -> int:
    try:
        position = file.tell()
        end = file.seek(0, 2)
        file.seek(position)
        return end
    except (AttributeError, OSError, ValueError) as exc:
        raise ValueError("give size= for a file that cannot seek") from exc


def _next_range(response: httpx.Response, size: int) -> tuple[int, int]:
    """The first of nextExpectedRanges ("26-" or "26-99") as [start, end)."""
    data = _rt.parse_json(response)
    ranges = data.get("nextExpectedRanges") if isinstance(data, dict) else None
    if not isinstance(ranges, list) or not ranges or not isinstance(ranges[0], str):
        raise _rt.ResponseParseError(
            "the upload session gives no nextExpectedRanges", response=response
        )
    match = re.fullmatch(r"\s*(\d+)\s*-\s*(\d*)\s*", ranges[0])
    if match is None:
        raise _rt.ResponseParseError(
            f"unreadable nextExpectedRanges {ranges[0]!r}", response=response
        )
    start = int(match.group(1))
    end = int(match.group(2)) + 1 if match.group(2) else size
    return start, min(end, size)


class _UploadBase(Generic[T]):
    def __init__(
        self,
        core: Any,
        session: Any,
        file: IO[bytes],
        *,
        size: int | None,
        chunk_size: int,
        progress: Callable[[int, int], None] | None,
        cast_to: Any,
    ) -> None:
        if chunk_size <= 0 or chunk_size % UPLOAD_UNIT or chunk_size > MAX_CHUNK:
            raise ValueError(
                f"chunk_size must be a multiple of {UPLOAD_UNIT} (320 KiB), at most 60 MiB"
            )
        self._core = core
        self.upload_url = _upload_url(session)
        """Keep it to resume later (``large_upload(url, file).resume()``)."""
        self._file = file
        self.size = _file_size(file) if size is None else size
        self.chunk_size = chunk_size
        self.progress = progress
        self._cast_to = cast_to
        try:
            self._position = file.tell()
        except (AttributeError, OSError, ValueError):
            self._position = 0
        self._origin = self._position  # where the file's content starts
        self.uploaded = 0
        """Bytes the service has acknowledged so far."""
        self.cancelled = False

    def _chunk(self, start: int, end: int) -> bytes:
        """The file's bytes [start, end), read from where the file is (never all of it)."""
        wanted = self._origin + start
        if wanted != self._position:
            if hasattr(self._file, "seek") and self._file.seekable():
                self._file.seek(wanted)
            elif wanted > self._position:
                while self._position < wanted:
                    skipped = self._file.read(min(wanted - self._position, 1 << 20))
                    if not skipped:
                        break
                    self._position += len(skipped)
            else:
                raise ValueError("the file cannot seek back to resume the upload")
            self._position = wanted
        data = self._file.read(end - start)
        self._position += len(data)
        if len(data) != end - start:
            raise ValueError(
                f"the file ended at byte {start + len(data)}, before its size {self.size}"
            )
        return data

    def _put(self, start: int, limit: int) -> httpx.Request:
        end = min(start + self.chunk_size, limit)
        data = self._chunk(start, end)
        return httpx.Request(
            "PUT",
            self.upload_url,
            content=data,
            headers={
                "Content-Length": str(len(data)),
                "Content-Range": f"bytes {start}-{end - 1}/{self.size}",
            },
        )

    def _outcome(self, response: httpx.Response) -> tuple[bool, Any, tuple[int, int]]:
        """(finished, the item, the next range) of a chunk's answer."""
        if response.status_code in (200, 201):
            self.uploaded = self.size
            if self.progress is not None:
                self.progress(self.size, self.size)
            value = (
                _rt.parse_json(response)
                if self._cast_to is None
                else _rt.parse_model(response, self._cast_to)
            )
            return True, value, (self.size, self.size)
        if response.status_code == 202:
            start, end = _next_range(response, self.size)
            self.uploaded = start
            if self.progress is not None:
                self.progress(start, self.size)
            return False, None, (start, end)
        raise _rt.error_from_response(response)

    def _retryable(self, response: httpx.Response | None) -> bool:
        return response is None or response.status_code in (
            416,
            429,
            500,
            502,
            503,
            504,
        )


class LargeFileUpload(_UploadBase[T]):
    """An upload session: the file sent in chunks (multiples of 320 KiB) with
    Content-Range to the session's uploadUrl (without the Authorization header, which the
    uploadUrl does not take), read from the file one chunk at a time.

        session = graph.upload_sessions.create(item_path)
        with open("video.mp4", "rb") as file:
            item = graph.large_upload(session, file, progress=print).upload()
    """

    _core: "_rt.SyncCore"

    def _send(self, request: httpx.Request) -> httpx.Response:
        response = self._core.http_client.send(request)
        response.read()
        return response

    def upload(self) -> T:
        """Send the file from its start; returns the item the service made (its JSON, or
        parsed as cast_to). Failed chunks are resumed from nextExpectedRanges."""
        return self._run((0, self.size))

    def resume(self) -> T:
        """Continue where the service says the session stands (after a failure, or from
        a saved upload_url in another process)."""
        return self._run(self._next())

    def status(self) -> tuple[int, int]:
        """The next range the service expects, as [start, end) byte offsets."""
        return self._next()

    def _next(self) -> tuple[int, int]:
        response = self._core.http_client.get(self.upload_url)
        if response.status_code >= 300:
            raise _rt.error_from_response(response)
        return _next_range(response, self.size)

    def _run(self, expected: tuple[int, int]) -> T:
        failures = 0
        while True:
            if self.cancelled:
                raise RuntimeError("the upload was cancelled")
            response: httpx.Response | None = None
            try:
                response = self._send(self._put(*expected))
                if not self._retryable(response):
                    finished, value, expected = self._outcome(response)
                    failures = 0
                    if finished:
                        result: T = value
                        return result
                    continue
            except (httpx.TransportError, httpx.DecodingError) as exc:
                if failures >= self._core.max_retries:
                    raise _rt.APIConnectionError(f"upload failed: {exc!r}") from exc
            if failures >= self._core.max_retries and response is not None:
                raise _rt.error_from_response(response)
            failures += 1
            self._core._sleep(self._core._backoff(failures - 1))
            expected = self._next()

    def cancel(self) -> None:
        """Delete the upload session (DELETE uploadUrl): the uploaded bytes are dropped."""
        self.cancelled = True
        response = self._core.http_client.delete(self.upload_url)
        if response.status_code >= 300 and response.status_code != 404:
            raise _rt.error_from_response(response)


class AsyncLargeFileUpload(_UploadBase[T]):
    """The asyncio twin of `LargeFileUpload` (the file is read synchronously, one chunk
    at a time)."""

    _core: "_rt.AsyncCore"

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self._core.http_client.send(request)
        await response.aread()
        return response

    async def upload(self) -> T:
        return await self._run((0, self.size))

    async def resume(self) -> T:
        return await self._run(await self._next())

    async def status(self) -> tuple[int, int]:
        return await self._next()

    async def _next(self) -> tuple[int, int]:
        response = await self._core.http_client.get(self.upload_url)
        if response.status_code >= 300:
            raise _rt.error_from_response(response)
        return _next_range(response, self.size)

    async def _run(self, expected: tuple[int, int]) -> T:
        failures = 0
        while True:
            if self.cancelled:
                raise RuntimeError("the upload was cancelled")
            response: httpx.Response | None = None
            try:
                response = await self._send(self._put(*expected))
                if not self._retryable(response):
                    finished, value, expected = self._outcome(response)
                    failures = 0
                    if finished:
                        result: T = value
                        return result
                    continue
            except (httpx.TransportError, httpx.DecodingError) as exc:
                if failures >= self._core.max_retries:
                    raise _rt.APIConnectionError(f"upload failed: {exc!r}") from exc
            if failures >= self._core.max_retries and response is not None:
                raise _rt.error_from_response(response)
            failures += 1
            await self._core._sleep(self._core._backoff(failures - 1))
            expected = await self._next()

    async def cancel(self) -> None:
        self.cancelled = True
        response = await self._core.http_client.delete(self.upload_url)
        if response.status_code >= 300 and response.status_code != 404:
            raise _rt.error_from_response(response)


# --------------------------------------------------------------------------
# Long-running operations (202 Accepted and a monitor URL)
# --------------------------------------------------------------------------

_RUNNING = frozenset({"notstarted", "inprogress", "running", "waiting", "accepted"})
_SUCCEEDED = frozenset({"completed", "succeeded", "success", "done"})
_MONITOR_HEADERS = ("operation-location", "location", "azure-asyncoperation")


class OperationStatus:
    """What a monitor URL says about an operation (an asyncOperationStatus,
    teamsAsyncOperation, richLongRunningOperation... body)."""

    def __init__(self, response: httpx.Response) -> None:
        body = _rt.parse_json(response) if response.content else {}
        self.response = response
        self.body: dict[str, Any] = body if isinstance(body, dict) else {}
        status = self.body.get("status")
        # a 200 without a status is the finished resource itself (after a redirect)
        self.status: str = status if isinstance(status, str) else "completed"
        percent = self.body.get("percentageComplete")
        self.percentage_complete: float | None = (
            float(percent) if isinstance(percent, (int, float)) else None
        )
        self.resource_id: str | None = _first_str(
            self.body, "resourceId", "targetResourceId"
        )
        self.resource_location: str | None = _first_str(
            self.body, "resourceLocation", "targetResourceLocation"
        ) or response.headers.get("content-location")
        error = self.body.get("error")
        self.error: dict[str, Any] | None = error if isinstance(error, dict) else None

    @property
    def running(self) -> bool:
        return self.status.lower() in _RUNNING

    @property
    def succeeded(self) -> bool:
        return self.status.lower() in _SUCCEEDED

    @property
    def failed(self) -> bool:
        return not self.running and not self.succeeded

    def __repr__(self) -> str:
        return f"OperationStatus({self.status!r}, {self.percentage_complete!r})"


def _first_str(body: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    return None


class OperationFailedError(_rt.GraphError):
    """The operation ended as failed (or cancelled): ``status`` says how."""

    def __init__(self, status: OperationStatus) -> None:
        self.status = status
        error = status.error or {}
        detail = error.get("message") or error.get("code") or ""
        super().__init__(f"the operation ended as {status.status!r} {detail}".strip())


class OperationTimeoutError(_rt.GraphError, TimeoutError):
    """wait() gave up: the operation was still running at its timeout."""

    def __init__(self, message: str, status: OperationStatus | None) -> None:
        self.status = status
        super().__init__(message)


class _OperationBase:
    def __init__(self, core: Any, response: httpx.Response) -> None:
        self._core = core
        self.response = response
        """The 202 Accepted answer that started the operation."""
        self.last: OperationStatus | None = None
        """The latest status polled, None before the first poll."""
        self._after = _rt._retry_after(response)

    @property
    def status_code(self) -> int:
        return self.response.status_code

    @property
    def monitor_url(self) -> str | None:
        """Where the operation's status is read (Operation-Location, else Location)."""
        for name in _MONITOR_HEADERS:
            value = self.response.headers.get(name)
            if value:
                return (
                    str(self.response.url.join(value)) if "://" not in value else value
                )
        return None

    @property
    def done(self) -> bool:
        return self.last is not None and not self.last.running

    def _url(self) -> str:
        url = self.monitor_url
        if url is None:
            raise _rt.ResponseParseError(
                "the 202 Accepted response has no Location or Operation-Location header",
                response=self.response,
            )
        return url

    def _same_origin(self, url: str) -> bool:
        mine, theirs = urlsplit(self._core.base_url), urlsplit(url)
        return (mine.scheme, mine.netloc) == (theirs.scheme, theirs.netloc)

    def _read(self, response: httpx.Response) -> OperationStatus:
        if response.status_code >= 300:
            raise _rt.error_from_response(response)
        self._after = _rt._retry_after(response)
        self.last = OperationStatus(response)
        return self.last

    def _delay(self, interval: float, started: float, timeout: float | None) -> float:
        delay = interval if self._after is None else self._after
        delay = min(delay, float(self._core.max_retry_after))
        if timeout is not None and time.monotonic() - started + delay > timeout:
            raise OperationTimeoutError(
                f"the operation did not end within {timeout} s", self.last
            )
        return delay

    def _final(self, status: OperationStatus) -> OperationStatus:
        if status.failed:
            raise OperationFailedError(status)
        return status


class Operation(_OperationBase):
    """A long-running operation the service accepted (202) and runs on its own.
    ``wait()`` polls its monitor URL (honouring Retry-After) until it ends.

        operation = graph.drive_items.copy(item_id, body)
        status = operation.wait(timeout=120)  # raises OperationFailedError if it failed
        print(status.resource_id)
    """

    _core: "_rt.SyncCore"

    def poll(self) -> OperationStatus:
        """Read the status once (a GET of the monitor URL)."""
        url = self._url()
        if self._same_origin(url):
            response = self._core.request("GET", url, expected=_rt.SUCCESS)
        else:  # another origin (a pre-authenticated monitor URL): no token
            response = self._core.http_client.get(url)
        return self._read(response)

    def wait(
        self, timeout: float | None = 300.0, interval: float = 1.0
    ) -> OperationStatus:
        """Poll until the operation ends; returns its final status, raises
        OperationFailedError when it failed, OperationTimeoutError after `timeout` s."""
        started = time.monotonic()
        if self.last is None and self._after is not None:  # the 202 said when to look
            self._core._sleep(self._delay(interval, started, timeout))
        status = self.last if self.done and self.last is not None else self.poll()
        while status.running:
            self._core._sleep(self._delay(interval, started, timeout))
            status = self.poll()
        return self._final(status)


class AsyncOperation(_OperationBase):
    """The asyncio twin of `Operation`: ``await operation.wait(timeout=...)``."""

    _core: "_rt.AsyncCore"

    async def poll(self) -> OperationStatus:
        url = self._url()
        if self._same_origin(url):
            response = await self._core.request("GET", url, expected=_rt.SUCCESS)
        else:
            response = await self._core.http_client.get(url)
        return self._read(response)

    async def wait(
        self, timeout: float | None = 300.0, interval: float = 1.0
    ) -> OperationStatus:
        started = time.monotonic()
        if self.last is None and self._after is not None:
            await self._core._sleep(self._delay(interval, started, timeout))
        status = self.last if self.done and self.last is not None else await self.poll()
        while status.running:
            await self._core._sleep(self._delay(interval, started, timeout))
            status = await self.poll()
        return self._final(status)


# --------------------------------------------------------------------------
# Delta queries
# --------------------------------------------------------------------------


def delta_token(link: str | None) -> str | None:
    """The token of a deltaLink: ``$deltatoken=``, ``deltatoken=``, ``token=`` or a
    ``delta(token='...')`` function argument."""
    if not link:
        return None
    parts = urlsplit(link)
    query = parse_qs(parts.query)
    for key in ("$deltatoken", "deltatoken", "$deltaToken", "token"):
        if query.get(key):
            return query[key][0]
    match = re.search(r"delta\(token='?([^')]*)'?\)", unquote(parts.path))
    return match.group(1) if match else None


class DeltaPager(_rt.Pager[T]):
    """A delta query: iterating yields every changed item of every page (``@removed``
    items included, their annotation kept); once the last page is reached,
    ``delta_link`` is its ``@odata.deltaLink``, to store and pass back as
    ``delta_link=`` to the same method next time, which returns only what changed since.
    """

    def __init__(
        self, core: "_rt.SyncCore", response: httpx.Response, item_cls: type[T]
    ) -> None:
        super().__init__(core, response, item_cls)
        self._delta: str | None = self.first_page.delta_link

    def pages(self) -> Iterator[_rt.Page[T]]:
        for page in super().pages():
            if page.delta_link:
                self._delta = page.delta_link
            yield page

    @property
    def delta_link(self) -> str | None:
        """The ``@odata.deltaLink`` of the last page (None until iteration reached it)."""
        return self._delta

    @property
    def delta_token(self) -> str | None:
        return delta_token(self._delta)

    def all(self) -> list[T]:
        """Every item, following every page (then delta_link is set)."""
        return list(self)


class AsyncDeltaPager(_rt.AsyncPager[T]):
    """The asyncio twin of `DeltaPager` (``async for``)."""

    def __init__(
        self, core: "_rt.AsyncCore", response: httpx.Response, item_cls: type[T]
    ) -> None:
        super().__init__(core, response, item_cls)
        self._delta: str | None = self.first_page.delta_link

    async def pages(self) -> AsyncIterator[_rt.Page[T]]:
        async for page in super().pages():
            if page.delta_link:
                self._delta = page.delta_link
            yield page

    @property
    def delta_link(self) -> str | None:
        return self._delta

    @property
    def delta_token(self) -> str | None:
        return delta_token(self._delta)

    async def all(self) -> list[T]:
        return [item async for item in self]


# --------------------------------------------------------------------------
# What the generated clients inherit
# --------------------------------------------------------------------------


class SyncTasks:
    """``graph.batch()`` and ``graph.large_upload(...)`` on GraphClient."""

    _core: "_rt.SyncCore"

    def batch(self) -> Batch:
        """Collect calls and send them as JSON batches: ``with graph.batch() as b:``."""
        return Batch(self._core)

    @overload
    def large_upload(
        self,
        session: Any,
        file: IO[bytes],
        *,
        cast_to: type[T],
        size: int | None = None,
        chunk_size: int = DEFAULT_CHUNK,
        progress: Callable[[int, int], None] | None = None,
    ) -> LargeFileUpload[T]: ...

    @overload
    def large_upload(
        self,
        session: Any,
        file: IO[bytes],
        *,
        size: int | None = None,
        chunk_size: int = DEFAULT_CHUNK,
        progress: Callable[[int, int], None] | None = None,
    ) -> LargeFileUpload[Any]: ...

    def large_upload(
        self,
        session: Any,
        file: IO[bytes],
        *,
        cast_to: Any = None,
        size: int | None = None,
        chunk_size: int = DEFAULT_CHUNK,
        progress: Callable[[int, int], None] | None = None,
    ) -> LargeFileUpload[Any]:
        """An upload of `file` into `session` (what the documented createUploadSession
        method returns, or its uploadUrl); call ``upload()``, ``resume()`` or ``cancel()``.
        progress(uploaded, size) is called after each chunk."""
        return LargeFileUpload(
            self._core,
            session,
            file,
            size=size,
            chunk_size=chunk_size,
            progress=progress,
            cast_to=cast_to,
        )


class AsyncTasks:
    """``graph.batch()`` and ``graph.large_upload(...)`` on AsyncGraphClient."""

    _core: "_rt.AsyncCore"

    def batch(self) -> AsyncBatch:
        """``async with graph.batch() as b:``"""
        return AsyncBatch(self._core)

    @overload
    def large_upload(
        self,
        session: Any,
        file: IO[bytes],
        *,
        cast_to: type[T],
        size: int | None = None,
        chunk_size: int = DEFAULT_CHUNK,
        progress: Callable[[int, int], None] | None = None,
    ) -> AsyncLargeFileUpload[T]: ...

    @overload
    def large_upload(
        self,
        session: Any,
        file: IO[bytes],
        *,
        size: int | None = None,
        chunk_size: int = DEFAULT_CHUNK,
        progress: Callable[[int, int], None] | None = None,
    ) -> AsyncLargeFileUpload[Any]: ...

    def large_upload(
        self,
        session: Any,
        file: IO[bytes],
        *,
        cast_to: Any = None,
        size: int | None = None,
        chunk_size: int = DEFAULT_CHUNK,
        progress: Callable[[int, int], None] | None = None,
    ) -> AsyncLargeFileUpload[Any]:
        """An upload of `file` into `session` (see SyncTasks.large_upload)."""
        return AsyncLargeFileUpload(
            self._core,
            session,
            file,
            size=size,
            chunk_size=chunk_size,
            progress=progress,
            cast_to=cast_to,
        )
