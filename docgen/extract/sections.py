"""Headings matched by meaning: which concept (HTTP request, properties, ...) a block sits under."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from docgen.blocks import Block, Heading


class Concept(StrEnum):
    HTTP_REQUEST = "http-request"
    PERMISSIONS = "permissions"
    REQUEST_HEADERS = "request-headers"
    REQUEST_BODY = "request-body"
    PATH_PARAMETERS = "path-parameters"
    FUNCTION_PARAMETERS = "function-parameters"
    QUERY_PARAMETERS = "query-parameters"
    RESPONSE = "response"
    PROPERTIES = "properties"
    RELATIONSHIPS = "relationships"
    JSON_REPRESENTATION = "json-representation"
    METHODS = "methods"
    MEMBERS = "members"
    EXAMPLES = "examples"


# Order matters: the first pattern that matches a heading names its concept.
_PATTERNS: tuple[tuple[Concept, re.Pattern[str]], ...] = tuple(
    (concept, re.compile(pattern, re.IGNORECASE))
    for concept, pattern in (
        (Concept.HTTP_REQUEST, r"^http requests?(\s*\(.*\)|\s*[:\u2013\u2014-]\s.*)?$"),
        (Concept.PERMISSIONS, r"^(permissions|prerequisites)$"),
        (Concept.REQUEST_HEADERS, r"^(optional )?request headers?$"),
        (Concept.REQUEST_BODY, r"^request body$"),
        (Concept.PATH_PARAMETERS, r"^path parameters?$"),
        (Concept.FUNCTION_PARAMETERS, r"^(function|method) parameters?$"),
        (Concept.QUERY_PARAMETERS, r"^((optional|supported) )?((odata )?query )?parameters?$"),
        (Concept.RESPONSE, r"^responses?$"),
        (Concept.PROPERTIES, r"^(properties\b.*|instance attributes|`?(?!inherited\b)[A-Za-z_][\w.]*`? properties)$"),
        (Concept.RELATIONSHIPS, r"^(`?(?!inherited\b)[A-Za-z_][\w.]*`? )?relationships?$"),
        (Concept.JSON_REPRESENTATION, r"^json representation$"),
        (Concept.METHODS, r"^methods$"),
        (Concept.MEMBERS, r"^(members|enum(eration)? values|.*\bvalues)$"),
        (Concept.EXAMPLES, r"^examples?\b.*$"),
    )
)


def concept_of(heading: str) -> Concept | None:
    text = " ".join(heading.replace("\u00a0", " ").split()).strip(" :")
    for concept, pattern in _PATTERNS:
        if pattern.match(text):
            return concept
    return None


OPERATION_PARTS = frozenset(
    {
        Concept.HTTP_REQUEST,
        Concept.PERMISSIONS,
        Concept.REQUEST_HEADERS,
        Concept.REQUEST_BODY,
        Concept.PATH_PARAMETERS,
        Concept.FUNCTION_PARAMETERS,
        Concept.QUERY_PARAMETERS,
        Concept.RESPONSE,
    }
)


@dataclass(frozen=True, slots=True)
class Placed:
    """A block with the concepts of the headings above it, outermost first."""

    block: Block
    concepts: tuple[Concept, ...]
    heading: str  # the nearest heading's text
    headings: tuple[Heading, ...] = ()  # the headings above it, outermost first

    @property
    def outer(self) -> Concept | None:
        return self.concepts[0] if self.concepts else None

    @property
    def inner(self) -> Concept | None:
        return self.concepts[-1] if self.concepts else None

    @property
    def part(self) -> Concept | None:
        """The part of an operation the block belongs to: anything under an outermost Examples
        heading is an example; else the nearest operation-part heading (a `### Request body` under
        `## HTTP request` is the request body); else the outermost concept."""
        if self.outer is Concept.EXAMPLES:
            return Concept.EXAMPLES
        return next((c for c in reversed(self.concepts) if c in OPERATION_PARTS), self.outer)


def place(blocks: tuple[Block, ...]) -> list[Placed]:
    stack: list[tuple[int, Concept | None, Heading]] = []
    placed: list[Placed] = []
    for block in blocks:
        if isinstance(block, Heading):
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            stack.append((block.level, concept_of(block.text), block))
            continue
        concepts = tuple(c for _, c, _ in stack if c is not None)
        placed.append(
            Placed(
                block=block,
                concepts=concepts,
                heading=stack[-1][2].text if stack else "",
                headings=tuple(h for _, _, h in stack),
            )
        )
    return placed
