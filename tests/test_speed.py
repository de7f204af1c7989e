"""The speed machinery must never change what is generated: caches, the manifest and the
fast check path (timings live in benchmarks/bench.py, not here)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from docgen_helpers import ROOT, run_docgen

DOCSET = ROOT / "tests" / "golden" / "docset" / "docs_input"


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _build(out: Path, cache: str, docs: Path = DOCSET) -> None:
    result = run_docgen("build", "--input", docs, "--output", out, env={"DOCGEN_CACHE_DIR": cache})
    assert result.returncode == 0, result.stderr


def test_a_damaged_cache_changes_no_output_byte(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _build(tmp_path / "plain", "")  # no cache at all
    plain = _tree(tmp_path / "plain")
    _build(tmp_path / "warm", str(cache))
    assert _tree(tmp_path / "warm") == plain
    entries = [p for p in cache.rglob("*") if p.is_file()]
    assert entries, "the build cached nothing"
    damages = {
        "emptied": lambda data: b"",
        "truncated": lambda data: data[: len(data) // 2],
        "zeroed": lambda data: b"\0" * len(data),
        "overwritten in the middle": lambda data: data[: len(data) // 2]
        + b"garbage" * 64
        + data[len(data) // 2 + 448 :],
        "bit-flipped throughout": lambda data: bytes(b ^ 0x10 if i % 997 == 500 else b for i, b in enumerate(data)),
        # inside the stored texts, where the file itself stays readable: only checksums tell
        "edited inside the entries": lambda data: data.replace(b"import ", b"imp0rt "),
    }
    for name, damage in damages.items():
        shutil.rmtree(tmp_path / "again", ignore_errors=True)
        _build(tmp_path / "again", str(cache))  # a whole cache, then damaged
        for entry in [p for p in cache.rglob("*") if p.is_file()]:
            entry.write_bytes(damage(entry.read_bytes()))
        shutil.rmtree(tmp_path / "damaged", ignore_errors=True)
        _build(tmp_path / "damaged", str(cache))
        assert _tree(tmp_path / "damaged") == plain, name
    shutil.rmtree(cache)
    _build(tmp_path / "deleted", str(cache))
    assert _tree(tmp_path / "deleted") == plain


def test_a_cache_locked_by_another_run_only_slows_the_build_down(tmp_path: Path) -> None:
    import sqlite3

    cache = tmp_path / "cache"
    _build(tmp_path / "plain", "")
    _build(tmp_path / "warm", str(cache))
    holder = sqlite3.connect(cache / "cache.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another run, in the middle of writing
    try:
        _build(tmp_path / "locked", str(cache))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _tree(tmp_path / "locked") == _tree(tmp_path / "plain")
    _build(tmp_path / "after", str(cache))  # and the cache still works afterwards
    assert _tree(tmp_path / "after") == _tree(tmp_path / "plain")


def test_two_builds_at_once_share_one_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, "DOCGEN_CACHE_DIR": str(cache)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "docgen", "build", "--input", str(DOCSET), "--output", str(tmp_path / name)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("one", "two")
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr
    _build(tmp_path / "plain", "")
    _build(tmp_path / "three", str(cache))
    plain = _tree(tmp_path / "plain")
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two") == _tree(tmp_path / "three") == plain


FAST_CHECK = """
import sys
from docgen.cli import main
try:
    main(["check", "--input", sys.argv[1], "--output", sys.argv[2]])
except SystemExit as exit:
    heavy = sorted(m for m in ("markdown_it", "jinja2", "black", "pydantic", "httpx") if m in sys.modules)
    print(exit.code, heavy)
"""


def test_check_of_an_up_to_date_tree_imports_nothing_heavy(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _build(out, "")
    result = subprocess.run(
        [sys.executable, "-c", FAST_CHECK, str(DOCSET), str(out)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.stdout.splitlines()[-1] == "0 []", result.stderr


def test_a_hand_edited_file_still_fails_check(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _build(out, "")
    model = out / "graph_client/v1_0/models/widget.py"
    model.write_text(model.read_text() + "\n# my change\n")
    check = run_docgen("check", "--input", DOCSET, "--output", out, env={"DOCGEN_CACHE_DIR": ""})
    assert check.returncode == 1
    assert "graph_client/v1_0/models/widget.py is out of date" in check.stdout
    assert "-# my change" in check.stdout


def test_a_stale_manifest_only_slows_check_down(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _build(out, "")
    manifest = out / "docgen-manifest.txt"
    lines = manifest.read_text().splitlines(keepends=True)
    manifest.write_text("".join("inputs 0000\n" if line.startswith("inputs ") else line for line in lines))
    check = run_docgen("check", "--input", DOCSET, "--output", out, env={"DOCGEN_CACHE_DIR": ""})
    assert check.returncode == 0, check.stdout
    assert "docgen-manifest.txt is not current" in check.stderr
    rebuilt = run_docgen("build", "--input", DOCSET, "--output", out, env={"DOCGEN_CACHE_DIR": ""})
    assert "1 files written or removed" in rebuilt.stdout


def test_one_edited_page_rewrites_only_its_files(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(DOCSET, docs)
    out = tmp_path / "out"
    _build(out, str(tmp_path / "cache"), docs)
    before = _tree(out)
    page = docs / "v1.0/resources/part.md"
    page.write_text(page.read_text().replace("|count|Int32|How many.|", "|count|Int64|How many, now 64-bit.|"))
    _build(out, str(tmp_path / "cache"), docs)
    changed = sorted(rel for rel, data in _tree(out).items() if before.get(rel) != data)
    assert changed == ["docgen-manifest.txt", "graph_client/v1_0/models/part.py"]


def test_templates_render_what_black_would_write(monkeypatch) -> None:
    """black runs twice on a file whose rendered text it changes (its format_str checks its own
    result with a second pass), so a cold build is fastest when every template lays code out
    as black does. Long names (Intune has class names of 60+ characters) are where this breaks
    first: the docset's beta pages have some."""
    import black

    from docgen.config import Config
    from docgen.diagnostics import Sink
    from docgen.format import Formatting
    from docgen.pipeline import generate

    rendered: dict[str, str] = {}
    add = Formatting.add

    def keep(self, path: str, key: str, text: str) -> None:
        rendered[path] = text
        add(self, path, key, text)

    monkeypatch.setattr(Formatting, "add", keep)
    monkeypatch.setenv("DOCGEN_CACHE_DIR", "")
    for case in ("docset", "hostile"):
        rendered.clear()
        generate(Config(input=ROOT / "tests" / "golden" / case / "docs_input", output=ROOT / "unused"), Sink())
        assert len(rendered) > 10
        changed = [path for path, text in rendered.items() if black.format_str(text, mode=black.Mode()) != text]
        assert changed == [], f"{case}: black changes {changed}"


GADGET = """---
title: "gadget resource type"
doc_type: resourcePageType
---

# gadget resource type

Namespace: microsoft.graph

## Properties

|Property|Type|Description|
|:---|:---|:---|
|id|String|Identifier.|
|part|[part](part.md)|The gadget's part.|
|color|[widgetColor](widgetcolor.md)|Its color.|
"""


def _incremental_build(docs: Path, out: Path, cache: str, monkeypatch) -> tuple[int | None, str, list[str]]:
    """`docgen build` in this process, as the command runs it: (how many pages the
    incremental path planned again, None when the full path ran; the summary line; the
    diagnostics as printed)."""
    from docgen.config import Config
    from docgen.diagnostics import Sink
    from docgen.output import diff_tree, read_tree, write_tree
    from docgen.pipeline import generate_tree, summary_line

    monkeypatch.setenv("DOCGEN_CACHE_DIR", cache)
    sink = Sink()
    tree = read_tree(out)
    result = generate_tree(Config(input=docs, output=out), sink, tree)
    assert not sink.failed(False), sink.sorted()
    write_tree(out, result.files, diff_tree(result.files, tree))
    return result.replanned, summary_line(result, sink), [d.format() for d in sink.sorted()]


def test_incremental_builds_equal_cold_builds_byte_for_byte(tmp_path: Path, monkeypatch) -> None:
    """Edit, add and delete pages one after another, building incrementally into one output
    folder with one warm cache; after every step the tree, the summary and the diagnostics must
    be exactly what a cold build (fresh folder, no cache) gives from the same pages. Prose,
    a property's description and lines moving take the incremental path (a few pages planned
    again); edits that change what other pages see (a type, an example, a page added, removed
    or renamed) take the full path, and some steps change linked forms other files depend on."""
    docs = tmp_path / "docs"
    shutil.copytree(DOCSET, docs)
    out, cache = tmp_path / "out", str(tmp_path / "cache")
    resources = docs / "v1.0/resources"
    restore = "v1.0/api/widget-restore.md"

    def edit(rel: str, old: str, new: str) -> None:
        page = docs / rel
        text = page.read_text()
        assert old in text, (rel, old)
        page.write_text(text.replace(old, new, 1))

    incremental, full = True, False
    steps = [
        ("prose", incremental, lambda: edit(restore, "Bring a deleted widget back.", "Bring a widget back.")),
        ("a request property's description", incremental, lambda: edit(restore, "| Why. |", "| Why it came back. |")),
        (
            "a model property's description",
            incremental,
            lambda: edit("v1.0/resources/part.md", "How many.|", "Count.|"),
        ),
        ("lines moved", incremental, lambda: edit("v1.0/resources/widget.md", "\n## ", "\nA new paragraph.\n\n## ")),
        (
            "two pages",
            incremental,
            lambda: (edit(restore, "Why it", "Why"), edit("v1.0/resources/part.md", "Count.", "N.")),
        ),
        ("an example", full, lambda: edit(restore, '"reason": "mistake"', '"reason": "a mistake"')),
        ("a property row's type", full, lambda: edit("v1.0/resources/part.md", "|count|Int32|", "|count|Int64|")),
        ("edit a base type", full, lambda: edit("v1.0/resources/entity.md", "| id       | String |", "| id | Guid |")),
        (
            "rename a type",
            full,
            lambda: edit("v1.0/resources/widgetcolor.md", "# widgetColor enum", "# widgetHue enum"),
        ),
        ("add a page", full, lambda: (resources / "gadget.md").write_text(GADGET)),
        ("edit the added page", incremental, lambda: edit("v1.0/resources/gadget.md", "Identifier.", "The id.")),
        ("delete a used page", full, lambda: (resources / "part.md").unlink()),
        ("delete an operation page", full, lambda: (docs / "v1.0/api/widget-delete.md").unlink()),
        ("restore a page", full, lambda: shutil.copy(DOCSET / "v1.0/resources/part.md", resources / "part.md")),
        ("nothing", incremental, lambda: None),
    ]
    _incremental_build(docs, out, cache, monkeypatch)
    for number, (name, fast, step) in enumerate(steps):
        step()
        replanned, summary, diagnostics = _incremental_build(docs, out, cache, monkeypatch)
        cold = tmp_path / f"cold{number}"
        result = run_docgen("build", "--input", docs, "--output", cold, env={"DOCGEN_CACHE_DIR": ""})
        assert result.returncode == 0, result.stderr
        assert _tree(out) == _tree(cold), name
        assert summary in result.stdout, name
        assert diagnostics == [line for line in result.stderr.splitlines() if "[DG" in line], name
        assert (replanned is not None) == fast, (name, replanned)


def test_what_the_whole_plan_reported_follows_its_page(tmp_path: Path, monkeypatch) -> None:
    """Two pages document one call under one title (DG501, reported by naming over every
    operation at once): an edit of a row of one of them takes the incremental path; one that
    moves the page's lines must not keep the report on its old line (the full path)."""
    docs = tmp_path / "docs"
    shutil.copytree(DOCSET, docs)
    restore = docs / "v1.0/api/widget-restore.md"
    # the same call, no example (an example's lines are in _examples.txt: moving them is a global change)
    again = docs / "v1.0/api/widget-restore-again.md"
    text = restore.read_text().split("## Example")[0].replace("Why.", "Why again.").replace("200 OK", "204 No Content")
    # and no response type: no merged call (one method for types with a common base), DG501
    again.write_text(text.replace("and a [widget](../resources/widget.md) object in the response body", "and nothing"))
    out, cache = tmp_path / "out", str(tmp_path / "cache")
    _incremental_build(docs, out, cache, monkeypatch)
    steps = [
        ("a row", True, ("| Why again. |", "| Why, really. |")),
        ("blank lines above the heading", False, ("\n# widget: restore", "\n\n\n# widget: restore")),
    ]
    for number, (name, fast, (old, new)) in enumerate(steps):
        again.write_text(again.read_text().replace(old, new, 1))
        replanned, summary, diagnostics = _incremental_build(docs, out, cache, monkeypatch)
        cold = tmp_path / f"cold{number}"
        result = run_docgen("build", "--input", docs, "--output", cold, env={"DOCGEN_CACHE_DIR": ""})
        assert "DG501" in result.stderr
        assert _tree(out) == _tree(cold), name
        assert summary in result.stdout, name
        assert diagnostics == [line for line in result.stderr.splitlines() if "[DG" in line], name
        assert (replanned is not None) == fast, (name, replanned)


def test_scaled_copies_generate_n_times_the_original(tmp_path: Path) -> None:
    """benchmarks/scale.py renames each copy's types, so that 2 copies give twice the models,
    operations and tests of one (a copy that shared a type with another would give fewer)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from scale import make_scaled
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))

    counts = []
    for copies in (1, 2):
        docs = tmp_path / f"x{copies}"
        make_scaled(DOCSET, docs, copies)
        result = run_docgen(
            "build", "--input", docs, "--output", tmp_path / f"out{copies}", env={"DOCGEN_CACHE_DIR": ""}
        )
        assert result.returncode == 0, result.stderr
        first = result.stdout.splitlines()[0]  # "N pages, N models, N enums, N operations, N example tests, ..."
        counts.append([int(part.split()[0]) for part in first.split(", ")[:5]])
    assert counts[1] == [2 * n for n in counts[0]], counts


ACCESSOR_CHECK = """
import importlib, inspect, pathlib, sys
client = importlib.import_module("graph_client.v1_0.client")
folder = pathlib.Path(client.__file__).parent / "operations"
groups = [p.stem for p in sorted(folder.glob("*.py")) if p.stem != "__init__"]
for cls, bases in (
    (client.GraphClient, ("SyncClientBase", "SyncTasks")),
    (client.AsyncGraphClient, ("AsyncClientBase", "AsyncTasks")),
):
    assert tuple(b.__name__ for b in cls.__bases__) == bases, cls.__bases__
    graph = cls("token")
    for group in groups:
        module = importlib.import_module(f"graph_client.v1_0.operations.{group}")
        resource = getattr(graph, group)
        assert type(resource).__module__ == module.__name__ and getattr(graph, group) is resource
        (method,) = [getattr(resource, n) for n in vars(type(resource)) if not n.startswith("_")]
        assert inspect.iscoroutinefunction(method) == (cls is client.AsyncGraphClient)
print(2 * len(groups))
"""


OPERATION_PAGE = """---
title: "thing{n}: restart"
doc_type: apiPageType
---

# thing{n}: restart

## HTTP request

```http
POST /thing{n}/restart
```

## Response

If successful, this method returns a `204 No Content` response code.
"""


def test_a_client_with_many_operations_modules_has_an_accessor_for_each(tmp_path: Path) -> None:
    """34 operations modules (one a page): the clients inherit none of them (a class's direct
    bases cost mypy time that grows with their cube) and reach each through its accessor,
    whose resource object has the group's method, sync or async."""
    docs, out = tmp_path / "docs" / "v1.0" / "api", tmp_path / "out"
    docs.mkdir(parents=True)
    for n in range(34):
        (docs / f"thing{n}-restart.md").write_text(OPERATION_PAGE.format(n=n), encoding="utf-8")
    result = run_docgen("build", "--input", tmp_path / "docs", "--output", out, env={"DOCGEN_CACHE_DIR": ""})
    assert result.returncode == 0, result.stderr
    assert len(list((out / "graph_client/v1_0/operations").glob("thing*.py"))) == 34
    checked = subprocess.run(
        [sys.executable, "-c", ACCESSOR_CHECK], cwd=out, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    assert int(checked.stdout.split()[-1]) == 2 * 34  # sync and async resource objects


def _edits_of(text: str) -> list[tuple[str, str]]:
    """Two edits that leave a page's outline as it is (`delta`): words added to the first
    paragraph after its H1, and to the last cell of its first table's first data row."""
    lines = text.split("\n")
    found = []
    after_h1 = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
    if after_h1 is not None:
        prose = next(
            (line for line in lines[after_h1 + 1 :] if line[:1].isalpha() and not line.startswith("Namespace")), None
        )
        if prose:
            found.append((prose, prose + " Edited here."))
    for i in range(2, len(lines)):
        row, separator = lines[i], lines[i - 1]
        if row.startswith("|") and separator.startswith("|") and set(separator) <= set("|:- "):
            cells = row.rstrip().rstrip("|").rsplit("|", 1)
            if len(cells) == 2 and cells[1].strip():
                found.append((row, f"{cells[0]}|{cells[1].rstrip()} Edited here. |"))
            break
    return found


def test_outline_keeping_edits_of_real_pages_equal_full_builds(tmp_path: Path, monkeypatch) -> None:
    """Real pages of every kind (the corpus sample, one page in 60, two edits each that other
    pages cannot see: prose and a table cell): after each edit the incremental build's tree and
    summary are those of a full build of the same pages (a fresh folder: no build state), and
    most of them take the incremental path."""
    from docgen_helpers import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("the corpus sample (../shared/corpus) is not here")
    docs = tmp_path / "corpus"
    shutil.copytree(CORPUS, docs)
    out, cache = tmp_path / "out", str(tmp_path / "cache")
    _incremental_build(docs, out, cache, monkeypatch)
    pages = sorted(p for p in docs.rglob("*.md"))[::60]
    fast = steps = 0
    for number, page in enumerate(pages):
        for old, new in _edits_of(page.read_text(encoding="utf-8")):
            page.write_text(page.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
            replanned, summary, diagnostics = _incremental_build(docs, out, cache, monkeypatch)
            full = tmp_path / f"full{number}_{steps}"
            again = _incremental_build(docs, full, cache, monkeypatch)
            assert again[0] is None  # a fresh folder has no previous build: the full path
            name = f"{page.relative_to(docs)}: {new[:60]!r}"
            assert _tree(out) == _tree(full), name
            assert (summary, diagnostics) == again[1:], name
            steps += 1
            fast += replanned is not None
            shutil.rmtree(full)
    assert steps >= 10
    assert fast * 2 >= steps, (fast, steps)
