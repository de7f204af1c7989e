"""Stage 1: bytes on disk -> page text. Encoding problems become diagnostics, not exceptions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from docgen.diagnostics import Sink, printable
from docgen.ir import Span


@dataclass(frozen=True, slots=True)
class Source:
    """One page's text. `rel` is relative to the input folder (posix); `display` is what
    diagnostics and generated headers show (the input folder's name joined with rel, with
    unprintable characters of odd file names escaped)."""

    rel: str
    display: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PageContext:
    """The page being parsed and extracted, passed as one argument to every block reader and
    extractor: where links resolve from, how the page is shown, where problems go."""

    rel: str
    """The page relative to the input folder (posix): links resolve from it."""
    display: str
    """The page as diagnostics and spans show it."""
    sink: Sink
    """Where this page's diagnostics go."""

    @classmethod
    def of(cls, source: Source, sink: Sink) -> PageContext:
        return cls(rel=source.rel, display=source.display, sink=sink)

    def span(self, line: int) -> Span:
        """The span of a 1-based line of this page."""
        return Span(path=self.display, line=line)

    def report(self, code: str, line: int, message: str) -> None:
        """Report a diagnostic at a 1-based line of this page."""
        self.sink.report(code, self.span(line), message)


def find_pages(root: Path) -> list[str]:
    """Every *.md below root, as sorted posix paths relative to it (sorted: output never
    depends on the order the file system lists files in)."""
    from docgen.speed.fingerprint import relative_files

    return sorted(relative_files(root, "*.md"))


def decode(data: bytes, display: str, sink: Sink) -> str | None:
    """Text of a page, or None when it has nothing docgen can read (empty, binary)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # A page saved as UTF-16 (with its BOM): read it as such rather than as binary.
        text = data.decode("utf-16", errors="replace")
        sink.report("DG003", Span(path=display, line=1), "the page is UTF-16, not UTF-8; it was decoded as UTF-16")
        return _checked(text, display, sink)
    if not data.strip():
        sink.report("DG004", Span(path=display, line=1), "the page is empty")
        return None
    if b"\x00" in data[:8192]:
        sink.report("DG004", Span(path=display, line=1), "the page holds binary data (NUL bytes)")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        sink.report(
            "DG003",
            Span(path=display, line=line),
            f"invalid UTF-8 at byte {exc.start}"
            + (f" and {bad - 1} more place{'s' if bad > 2 else ''}" if bad > 1 else "")
            + "; decoded with U+FFFD",
        )
    return _checked(text, display, sink)


_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")  # C0 but tab, LF, CR, FF; DEL; U+FFFD


def _checked(text: str, display: str, sink: Sink) -> str | None:
    """Normalised text, or None for text that is mostly control or replacement characters
    (binary junk that happens to hold no NUL byte)."""
    if not text.strip():
        sink.report("DG004", Span(path=display, line=1), "the page is empty")
        return None
    sample = text[:8192]
    junk = len(_CONTROL.findall(sample))
    if junk >= 32 and junk * 10 > len(sample):
        sink.report(
            "DG004",
            Span(path=display, line=1),
            f"the page holds binary data ({junk} of its first {len(sample)} characters are control or invalid bytes)",
        )
        return None
    # CRLF and lone CR become LF; other control characters stay and are escaped later.
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def read_page(root: Path, rel: str, display_root: str, sink: Sink) -> Source | None:
    display = printable(f"{display_root}/{rel}" if display_root else rel)
    try:
        data = (root / rel).read_bytes()
    except OSError as exc:
        sink.report("DG002", Span(path=display, line=1), f"cannot read the page: {exc.strerror or exc}")
        return None
    text = decode(data, display, sink)
    return None if text is None else Source(rel=rel, display=display, text=text)
