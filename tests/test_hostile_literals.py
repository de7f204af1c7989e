"""Page text is data: whatever a page says, the generated modules hold only the statements the
templates produce.

Hostile strings (triple quotes, a backslash at a line end, Jinja delimiters, NUL and control
characters, Unicode line separators, Python and shell injections) are fed into every place a
page's text reaches: title, H1, description, property names and descriptions, type cells,
enum members, HTTP paths and placeholders, header values, annotation names, example URLs and
JSON keys and values, and file names. Each generated module must parse, and its statement
skeleton must fit inside the skeleton a benign page produces (so no text became a statement),
with no import or call a template does not make.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import black
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from docgen.config import Config
from docgen.diagnostics import Sink
from docgen.output import check_paths
from docgen.pipeline import generate
from docgen.escape import comment, doc, py
from docgen_helpers import ROOT, run_docgen, run_pytest

INJECTION = '"""; import os; os.system(\'touch docgen-pwned\') #'
FRAGMENTS = [
    '"""',
    "'''",
    '"',
    "'",
    "\\",
    "\\\n",
    "\\\r\n",
    "{{ 7*7 }}",
    "{{",
    "}}",
    "{% raw %}",
    "{%",
    "%}",
    "{#",
    "#}",
    "\x00",
    "\x07",
    "\x08",
    "\x1b",
    "\x7f",
    "\u2028",
    "\u2029",
    "\x85",
    "\x0c",
    "\x0b",
    "\r",
    "\t",
    "\n",
    INJECTION,
    "__import__('os').system('touch docgen-pwned')",
    "$(touch docgen-pwned)",
    "`touch docgen-pwned`",
    "; rm -rf / #",
    "|",
    "<!--",
    "-->",
    "```",
    "#",
    "\ufeff",
    "\u200b",
    "\u00a0",
    "é",
    "日本",
    "\U0001f600",
    "\\N{BULLET}",
    "\\u0041",
    "\\x41",
    "%s",
    "{0}",
    "${x}",
    "*/",
    "/*",
    "@",
    ".",
    "-",
    "1",
]
hostile = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), min_size=1, max_size=5).map("".join)


def raw(text: str) -> str:
    """Page text as written. A NUL byte makes read() skip the whole page as binary, so NUL
    only reaches pages through JSON escapes (json.dumps) and the filter-level tests below."""
    return text.replace("\x00", "")


def cell(text: str) -> str:
    """Text that stays inside one table cell (the rest of the hostility is kept)."""
    return " ".join(raw(text).replace("|", "\\|").split()) or "x"


def prose(text: str) -> str:
    """Text inside a paragraph: every hostile character kept (U+2028, U+2029 and form feeds
    included), but on one Markdown line and after a word, so that it cannot open a block of
    its own: a description that starts a line with ``` is a code fence in any Markdown reader,
    a broken page (test_fuzz and test_broken_input cover those), not a hostile literal."""
    return "About: " + raw(text).replace("\r", " ").replace("\n", " ")


def line(text: str) -> str:
    return " ".join(raw(text).split()) or "x"


def file_name(text: str) -> str:
    name = "".join(ch for ch in text if ch not in "/\\\x00" and ch.isprintable())[:40].strip(". ")
    return f"{name or 'page'}-create.md"


def segment(text: str) -> str:
    """A URL path segment: hostile but free of what would end the path."""
    cleaned = "".join(ch for ch in text if ch.isprintable() and ch not in " /?#%\\{}<>")
    return cleaned or "v"


def path_text(text: str) -> str:
    """The literal part of an HTTP request path: spaces, quotes, backslashes and % stay."""
    cleaned = "".join(ch for ch in raw(text) if ch.isprintable() and ch not in "/?#{}<>").strip()
    return cleaned or "p"


def placeholder(text: str) -> str:
    return "".join(ch for ch in segment(text) if ch != "|") or "id"


def operation_page(t: dict[str, str]) -> str:
    request = {t["key"]: t["value"], "name": t["value"], "count": 3, "nested": {t["key"]: [t["value"], None, True]}}
    response = {**request, "id": t["value"]}
    return f"""---
title: "{line(t['title'])}"
description: {line(t['description'])}
doc_type: apiPageType
---

# {line(t['title'])}

Namespace: microsoft.graph

{prose(t['description'])}

Create a [thing](../resources/thing.md) {prose(t['description'])}

## HTTP request

<!-- {{ "blockType": "ignored", "name": {json.dumps(t['annotation'])} }} -->
```http
POST /things/{{{placeholder(t['placeholder'])}}}/{path_text(t['path'])}
```

## Request headers

|Header|Value|
|:---|:---|
|X-Header|{cell(t['header'])}|

## Request body

In the request body, supply a [thing](../resources/thing.md) object.

|Property|Type|Description|
|:---|:---|:---|
|{cell(t['key'])}|String|{cell(t['description'])}|
|name|String|{cell(t['value'])}|
|count|Int32|How many.|
|nested|[{cell(t['type'])}](../resources/{segment(t['type'])}.md)|{cell(t['title'])}|
|id|String|The id.|

### colour values

|Member|Description|
|:---|:---|
|{cell(t['member'])}|{cell(t['description'])}|
|red|{cell(t['value'])}|

## Response

If successful, this method returns a `201 Created` response code and a [thing](../resources/thing.md) object.

## Example

### Request

<!-- {{ "blockType": "request", "name": {json.dumps(t['annotation'])} }} -->
```http
POST https://graph.microsoft.com/v1.0/things/{segment(t['arg'])}/{path_text(t['path'])}
Content-Type: application/json
X-Header: {line(t['header'])}

{json.dumps(request, indent=2)}
```

### Response

<!-- {{ "blockType": "response", "name": {json.dumps(t['annotation'])} }} -->
```http
HTTP/1.1 201 Created
Content-Type: application/json; charset=utf-8; x="{line(t['header'])}"

{json.dumps(response, indent=2)}
```

{raw(t['tail'])}
"""


def resource_page(t: dict[str, str]) -> str:
    return f"""# widget resource type

{prose(t['description'])}

## Properties

|Property|Type|Description|
|:---|:---|:---|
|{cell(t['key'])}|String|{cell(t['description'])}|
|{cell(t['value'])}|Int32|{cell(t['title'])}|
|kind|[colour](colour.md)|{cell(t['header'])}|

## JSON representation

<!-- {{ "blockType": "resource", "@odata.type": {json.dumps("microsoft.graph." + t['type'])} }} -->
```json
{{}}
```
"""


# Each build takes a quarter of a second: a failing example is reported as found, not shrunk.
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)

KEYS = (
    "title",
    "description",
    "annotation",
    "placeholder",
    "path",
    "header",
    "key",
    "value",
    "type",
    "member",
    "arg",
    "tail",
    "file",
)
BENIGN = {key: f"plain {key}" for key in KEYS} | {
    "key": "colourName",
    "type": "gadget",
    "member": "blue",
    "file": "benign",
}


pytestmark = pytest.mark.usefixtures("no_docgen_cache")


def build(t: dict[str, str], pages: tuple[str, ...] = ("operation", "resource")) -> tuple[dict[str, str], Sink]:
    with tempfile.TemporaryDirectory() as folder:
        docs = Path(folder) / "docs"
        version = docs / "v1.0"  # one API version: the pages' types meet
        version.mkdir(parents=True)
        if "operation" in pages:
            (version / file_name(t["file"])).write_text(operation_page(t), encoding="utf-8", newline="\n")
        if "resource" in pages:
            (version / "widget.md").write_text(resource_page(t), encoding="utf-8", newline="\n")
        sink = Sink()
        result = generate(Config(input=docs, output=Path(folder) / "out"), sink)
    return result.files, sink


def kind_of(path: str) -> str:
    """Which template made a file (its path, without the package and version folders)."""
    parts = path.split("/")
    if len(parts) == 1:
        return path
    if parts[-2:-1] == ["models"] and parts[-1] != "__init__.py":
        return "model"
    if parts[-2:-1] == ["operations"] and parts[-1] != "__init__.py":
        return "operations"
    if parts[0] == "tests" and parts[-1].startswith("test_"):
        return "test"
    if len(parts) == 3 and parts[-1] == "__init__.py":
        return "version/__init__.py"
    if parts[0] == "tests":
        return path
    return "/".join(parts[-2:]) if parts[-2] in ("models", "operations") else parts[-1]


def skeleton(tree: ast.AST) -> set[tuple[str, str]]:
    """(enclosing statement kinds, statement kind) for every statement in a module."""
    found: set[tuple[str, str]] = set()

    def visit(node: ast.AST, context: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                found.add((context, type(child).__name__))
                visit(child, f"{context}/{type(child).__name__}")
            else:
                visit(child, context)

    visit(tree, "Module")
    return found


_BENIGN_SKELETONS: dict[str, set[tuple[str, str]]] = {}
_BENIGN_FILES: dict[str, str] = {}


def benign() -> tuple[dict[str, set[tuple[str, str]]], dict[str, str]]:
    if not _BENIGN_SKELETONS:
        # every page, each alone, and none (a hostile page may be skipped as a whole)
        for pages in (("operation", "resource"), ("operation",), ("resource",), ()):
            files, sink = build(BENIGN, pages)
            assert not [d for d in sink.items if d.code in ("DG009", "DG601", "DG602")]
            for path, text in files.items():
                if path.endswith(".py"):
                    _BENIGN_SKELETONS.setdefault(kind_of(path), set()).update(skeleton(ast.parse(text)))
            if pages == ("operation", "resource"):
                _BENIGN_FILES.update(files)
    return _BENIGN_SKELETONS, _BENIGN_FILES


ALLOWED_FROM = {
    "__future__",
    "typing",
    "pydantic",
    "httpx",
    "datetime",
    "json",
    "asyncio",
    "pytest",
    "importlib",
    "pathlib",
    "graph_client",
}
ALLOWED_IMPORTS = {"typing", "httpx", "json", "asyncio", "pytest", "importlib", "sys", "docgen_test_support"}
BAD_CALLS = {"eval", "exec", "__import__", "compile", "open", "system", "breakpoint", "input", "setattr", "vars"}
BAD_ROOTS = {"os", "subprocess", "shutil", "builtins", "posix", "pty"}


def check_module(path: str, text: str, skeletons: dict[str, set[tuple[str, str]]]) -> None:
    tree = ast.parse(text, filename=path)  # raises on anything that is not Python
    compile(tree, path, "exec")
    assert text.startswith("# Code generated by docgen from "), path
    assert text.split("\n", 1)[0].isascii() and text.split("\n", 1)[0].isprintable()
    extra = skeleton(tree) - skeletons.get(kind_of(path), set())
    assert not extra, f"{path}: statements no template makes: {sorted(extra)}"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level > 0 or (node.module or "").split(".")[0] in ALLOWED_FROM, f"{path}: from {node.module}"
        elif isinstance(node, ast.Import):
            assert all(
                a.name in ALLOWED_IMPORTS or re.fullmatch(r"docgen_open_types(_[a-z0-9_]+)?", a.name)
                for a in node.names
            ), f"{path}: import {[a.name for a in node.names]}"
        elif isinstance(node, ast.Call):
            func = node.func
            root = func
            while isinstance(root, (ast.Attribute, ast.Call, ast.Subscript)):
                root = root.value if not isinstance(root, ast.Call) else root.func
            assert not (isinstance(func, ast.Name) and func.id in BAD_CALLS), f"{path}: call {ast.unparse(func)}"
            assert not (isinstance(root, ast.Name) and root.id in BAD_ROOTS), f"{path}: call {ast.unparse(func)}"
        elif isinstance(node, (ast.Module, ast.ClassDef)):
            for statement in node.body:
                if isinstance(statement, ast.Expr):  # only docstrings stand alone at these levels,
                    value = statement.value  # and the models registry call
                    if isinstance(value, ast.Call) and ast.unparse(value.func) == "_rt.register_models":
                        assert all(
                            isinstance(v, ast.Constant)
                            for v in ast.walk(value.args[0])
                            if isinstance(v, ast.expr) and not isinstance(v, ast.Dict)
                        ), path
                        continue
                    assert isinstance(value, ast.Constant) and isinstance(
                        value.value, str
                    ), f"{path}: expression statement {ast.unparse(statement)[:80]}"
        elif isinstance(node, ast.Name):
            assert (
                node.id not in ("os", "subprocess", "__import__")
                or isinstance(node.ctx, ast.Store)
                or _is_parameter_use(tree, node)
            )


def _is_parameter_use(tree: ast.AST, name: ast.Name) -> bool:
    """A sanitised parameter may be called `os`; it is then a parameter of a function."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(a.arg == name.id for a in node.args.args):
            return True
    return False


def check_build(t: dict[str, str]) -> None:
    skeletons, benign_files = benign()
    files, sink = build(t)
    bugs = [d.format() for d in sink.items if d.code in ("DG009", "DG601", "DG602")]
    assert not bugs, bugs
    check_paths(files)
    # the runtime and the test support module are static: no page text reaches them
    static_files = (
        "graph_client/_runtime.py",
        "graph_client/_wire.py",
        "graph_client/_tasks.py",
        "graph_client/testing.py",
        "tests/docgen_test_support.py",
    )
    # ... and no page text reaches the distribution's files (settings only)
    for static in (*static_files, "pyproject.toml", "graph_client/py.typed"):
        assert files.pop(static) == benign_files[static]
    # the offline mock's examples are data: a JSON document after the header, read by json.loads
    header, document = files.pop("graph_client/_examples.txt").split("\n", 1)
    assert header.startswith("# Code generated by docgen from ") and header.isascii() and header.isprintable()
    assert json.loads(document)["format"] == "docgen-mock"
    for path, text in files.items():
        check_module(path, text, skeletons)
        if "/operations/" in path:
            for snippet in usage_snippets(text):
                check_snippet(path, snippet)


def usage_snippets(text: str) -> list[str]:
    """The usage snippets of a module's docstrings (what the generated tests exec)."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node) or ""
            if "\nUsage (" in doc:
                block = doc.split("\nUsage (", 1)[1].split("\n", 1)[1]
                found.append(textwrap.dedent(block))
    return found


def check_snippet(path: str, snippet: str) -> None:
    """A snippet is imports of the package's models, then assignments whose values only call
    constructors and `graph`'s method: page text in it stays in literals."""
    tree = ast.parse(snippet if "await" not in snippet else "async def _f():\n" + textwrap.indent(snippet, "    "))
    body = tree.body[0].body if isinstance(tree.body[0], ast.AsyncFunctionDef) else tree.body
    assert body, path
    for statement in body:
        if isinstance(statement, ast.ImportFrom):
            assert (statement.module or "").startswith("graph_client.") and statement.level == 0, path
            continue
        assert isinstance(statement, ast.Assign) and all(
            isinstance(t, ast.Name) for t in statement.targets
        ), f"{path}: snippet statement {ast.unparse(statement)[:80]}"
        for node in ast.walk(statement.value):
            if isinstance(node, ast.Call):
                func = node.func
                ok = isinstance(func, ast.Name) and func.id not in BAD_CALLS
                ok = ok or (isinstance(func, ast.Attribute) and _on_graph(func.value))  # graph.<group>.<method>
                assert ok, f"{path}: snippet call {ast.unparse(func)}"
            assert not isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Attribute)) or (
                isinstance(node, ast.Attribute) and (_is_graph(node.value) or _on_graph(node.value))
            ), f"{path}: snippet expression {ast.unparse(node)[:80]}"


def _is_graph(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "graph"


def _on_graph(node: ast.expr) -> bool:
    """`graph.<group>`: a resource group's accessor of the client."""
    return isinstance(node, ast.Attribute) and _is_graph(node.value)


def test_benign_page_covers_every_template() -> None:
    skeletons, files = benign()
    assert {kind_of(p) for p in files} >= {
        "model",
        "operations",
        "test",
        "client.py",
        "_runtime.py",
        "models/__init__.py",
        "__init__.py",
    }
    # the enum, the request-body model, the resource model and a placeholder are all there
    assert {p.rsplit("/", 1)[-1] for p in files if "/models/" in p} >= {
        "colour.py",
        "thing.py",
        "widget.py",
        "gadget.py",
    }
    assert any(p.startswith("tests/test_") for p in files)
    snippets = [s for p, text in files.items() if "/operations/" in p for s in usage_snippets(text)]
    assert snippets and all("result = " in s for s in snippets)  # the usage snippets are checked too
    for bad in ("import os", "result = graph.x(__import__('os'))", "x = exec('1')", "result = (lambda: 1)()"):
        with pytest.raises(AssertionError):
            check_snippet("snippet", bad)


def test_the_checker_rejects_code_a_template_does_not_make() -> None:
    """The structural check above can fail: text that became code is caught even when it is
    valid Python."""
    skeletons, files = benign()
    path = next(p for p in files if p.endswith("/models/thing.py"))
    text = files[path]
    check_module(path, text, skeletons)
    anchor = next(line for line in text.splitlines() if line.endswith("import _runtime as _rt"))
    injected = [
        text.replace(anchor, anchor + '\n"""docstring"""; import os; os.system("touch docgen-pwned")'),
        text + "\nprint(__import__('os').system('touch docgen-pwned'))\n",
        text.replace("    ODATA_TYPE", "    exec('1')\n    ODATA_TYPE"),
        text + "\nif True:\n    pass\n",
        text.replace(anchor, anchor + "\nfrom os import system"),
        text.replace(anchor, anchor + "\nfor x in []:\n    pass"),
    ]
    for source in injected:
        assert source != text
        with pytest.raises(AssertionError):
            check_module(path, source, skeletons)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=NO_SHRINK)
@given(st.fixed_dictionaries({key: hostile for key in KEYS}))
def test_hostile_text_everywhere_stays_data(t: dict[str, str]) -> None:
    check_build(t)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=NO_SHRINK)
@given(st.sampled_from(FRAGMENTS), st.sampled_from(KEYS))
def test_each_fragment_in_each_place(fragment: str, key: str) -> None:
    check_build(BENIGN | {key: f"a{fragment}b{fragment}"})


# ---- the escaping filters themselves, over any text -----------------------------------------

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40) | st.lists(
    st.sampled_from(FRAGMENTS), max_size=6
).map("".join)


@settings(max_examples=200, deadline=None)
@given(text)
def test_py_is_an_exact_literal(value: str) -> None:
    literal = py(value)
    assert ast.literal_eval(literal) == value
    (statement,) = ast.parse(f"x = {literal}\n").body
    assert isinstance(statement, ast.Assign)


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
        max_leaves=10,
    )
)
def test_py_json_values_round_trip(value: object) -> None:
    assert ast.literal_eval(py(value)) == value


@settings(max_examples=200, deadline=None)
@given(text)
def test_doc_is_one_docstring_even_after_black(value: str) -> None:
    source = f"def f():\n    {doc(value, 4)}\n    return 1\n"
    formatted = black.format_str(source, mode=black.Mode())
    for code in (source, formatted):
        (function,) = ast.parse(code).body
        assert [type(s).__name__ for s in function.body] == ["Expr", "Return"]
        assert ast.get_docstring(function, clean=False) is not None
        assert not any(ch in code for ch in "\x00\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


@settings(max_examples=200, deadline=None)
@given(text)
def test_comment_stays_one_ascii_line(value: str) -> None:
    result = comment(value)
    assert result.isascii() and result.isprintable() and "\n" not in result
    (statement,) = ast.parse(f"x = 1  # {result}\n").body
    assert isinstance(statement, ast.Assign)
    # templates also print it inside docstrings
    (statement,) = ast.parse(f'"""at {result}."""\n').body
    assert isinstance(statement, ast.Expr) and isinstance(statement.value.value, str)


# ---- the acceptance page: builds, imports, passes its tests, runs none of its text ------------

HOSTILE_GOLDEN = ROOT / "tests" / "golden" / "hostile"


def test_hostile_golden_tree_passes_its_tests_without_running_page_text(tmp_path: Path) -> None:
    """The hostile golden pages (test_golden checks the tree they give) build, and the tree's
    generated tests run, from an empty folder that must stay empty."""
    out = tmp_path / "out"
    built = run_docgen(
        "build", "--input", HOSTILE_GOLDEN / "docs_input", "--output", out, cwd=tmp_path, env={"DOCGEN_CACHE_DIR": ""}
    )
    assert built.returncode == 0 and "Traceback" not in built.stderr, built.stderr
    work = tmp_path / "cwd"
    work.mkdir()
    result = run_pytest(out, cwd=work)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "skipped" not in result.stdout
    assert list(work.iterdir()) == [], "page text was executed"
    assert not (out / "docgen-pwned").exists() and not (tmp_path / "docgen-pwned").exists()
    # and importing every generated module runs nothing either
    code = (
        "import importlib, sys\n"
        "from pathlib import Path\n"
        f"root = Path({str(out)!r})\n"
        "sys.path.insert(0, str(root))\n"
        "for path in sorted((root / 'graph_client').rglob('*.py')):\n"
        "    parts = path.relative_to(root).with_suffix('').parts\n"
        "    importlib.import_module('.'.join(parts[:-1] if parts[-1] == '__init__' else parts))\n"
        "print('imported')\n"
    )
    done = subprocess.run([sys.executable, "-B", "-c", code], cwd=work, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "imported" in done.stdout, done.stderr
    assert list(work.iterdir()) == []


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=NO_SHRINK)
@given(st.fixed_dictionaries({key: hostile for key in KEYS}))
def test_hostile_pages_pass_their_own_generated_tests(t: dict[str, str]) -> None:
    """Not only well formed: the client built from a hostile page sends the documented request
    and parses the documented response, and running its tests executes none of the page."""
    from docgen.output import diff_tree, read_tree, write_tree

    files, sink = build(t)
    assert any(p.startswith("tests/test_") for p in files)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        write_tree(out, files, diff_tree(files, read_tree(out)))
        work = Path(folder) / "cwd"
        work.mkdir()
        result = run_pytest(out, cwd=work)
        assert result.returncode == 0, (t, result.stdout[-3000:])
        assert list(work.iterdir()) == []
