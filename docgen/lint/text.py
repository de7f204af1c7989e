"""What lint reads from a page's own text, without parsing its Markdown again (the IR comes
from the page cache): code fences, and where a JSON key sits inside an example fence."""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True, slots=True)
class FenceLines:
    """A fenced block: its opening line and its closing line (1-based; the last line of the
    page when it is not closed)."""

    start: int
    end: int

    def content(self, lines: list[str]) -> str:
        return "\n".join(lines[self.start : self.end - 1])


def fences(lines: list[str]) -> tuple[FenceLines, ...]:
    """Every fenced block, as CommonMark opens and closes them (same character, at least as
    long; fences inside list items and block quotes are ignored, as the extractor's are rare)."""
    found = []
    opened: tuple[int, str] | None = None
    for number, line in enumerate(lines, 1):
        match = _FENCE.match(line)
        if opened is None:
            if match:
                opened = (number, match.group(1))
        elif (
            match
            and match.group(1)[0] == opened[1][0]
            and len(match.group(1)) >= len(opened[1])
            and not line.strip().lstrip(opened[1][0])  # a closing fence holds nothing else
        ):
            found.append(FenceLines(start=opened[0], end=number))
            opened = None
    if opened is not None:
        found.append(FenceLines(start=opened[0], end=len(lines)))
    return tuple(found)


def fence_at(fenced: tuple[FenceLines, ...], line: int) -> FenceLines | None:
    """The fence whose content holds line, if any."""
    for fence in fenced:
        if fence.start < line < fence.end or (fence.start < line and fence.end == line):
            return fence
    return None


class KeyFinder:
    """Finds the line and column of `"key"` in an example fence, moving forward as the JSON is
    walked in document order, so that a key written twice is found where it is meant."""

    def __init__(self, lines: list[str], start: int, end: int) -> None:
        self.lines = lines
        self.start = start  # the message's first line
        self.end = end  # the fence's closing line
        self.cursor = start

    def find(self, key: str) -> tuple[int, int]:
        needle = '"' + key + '"'
        for number in range(self.cursor, min(self.end, len(self.lines)) + 1):
            col = self.lines[number - 1].find(needle)
            if col >= 0:
                self.cursor = number
                return number, col + 2  # the key's first character, after its quote
        return self.start, 1
