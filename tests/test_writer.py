"""Nothing lost: the writer replaces the output folder as one transaction, never touches a
file docgen did not generate, and never writes outside the output folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docgen import output
from docgen.config import Config
from docgen.diagnostics import Sink
from docgen.ir import ApiSpec, Enum, EnumMember, Field, Model, ModelOrigin, Span, TypeKind, TypeRef
from docgen.output import UnsafePath, check_paths, diff_tree, read_tree, write_tree
from docgen.pipeline import generate
from docgen.plan import plan, static_files
from docgen.validate import validate
from docgen_helpers import run_docgen

PAGE = """\
# widget resource type

## Properties

|Property|Type|Description|
|:---|:---|:---|
|id|String|The id.|
{extra}
"""
OPERATION = """\
# Get gadget

## HTTP request

```http
GET /gadgets/{{id}}
```

## Response

If successful, this method returns a `200 OK` response code and a [gadget](gadget.md) object.

## Example

```http
GET https://graph.microsoft.com/v1.0/gadgets/g1
```

```http
HTTP/1.1 200 OK
Content-Type: application/json

{{"id": "g1", "size": {size}}}
```
"""
GADGET = (
    "# gadget resource type\n\n## Properties\n\n|Property|Type|Description|\n|-|-|-|\n|id|String|x|\n|size|Int32|y|\n"
)


pytestmark = pytest.mark.usefixtures("no_docgen_cache")


def snapshot(folder: Path) -> dict[str, object]:
    """Every file's bytes and mode, every folder and link, under folder (caches excluded)."""
    state: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if "__pycache__" in path.parts:
            continue
        if path.is_symlink():
            state[rel] = ("link", os.readlink(path))
        elif path.is_dir():
            state[rel] = ("dir", stat.S_IMODE(path.stat().st_mode))
        else:
            state[rel] = ("file", path.read_bytes(), stat.S_IMODE(path.stat().st_mode))
    return state


def generation(docs: Path, pages: dict[str, str]) -> dict[str, str]:
    docs.mkdir(exist_ok=True)
    for old in docs.glob("*.md"):
        old.unlink()
    for name, text in pages.items():
        (docs / name).write_text(text, encoding="utf-8")
    sink = Sink()
    files = generate(Config(input=docs, output=docs.parent / "unused"), sink).files
    assert not sink.failed(False), [d.format() for d in sink.items]
    return files


@pytest.fixture
def scenario(tmp_path: Path):
    """An output folder holding a previous build and user files, and the next build's files."""
    docs = tmp_path / "docs"
    out = tmp_path / "out"
    before = generation(
        docs,
        {
            "widget.md": PAGE.format(extra="|old|String|Goes away.|"),
            "gadget-get.md": OPERATION.format(size=1),
            "gadget.md": GADGET,
            "extra.md": "# extra resource type\n\n## Properties\n\n|Property|Type|\n|-|-|\n|x|String|\n",
        },
    )
    write_tree(out, before, diff_tree(before, read_tree(out)))
    # user files: beside generated ones, in a generated folder, in their own folder, binary, and
    # one named like the writer's temporary files
    (out / "NOTES.md").write_text("mine\n", encoding="utf-8")
    (out / "graph_client" / "models" / "custom.py").write_text("# my own model\n", encoding="utf-8")
    (out / "mine").mkdir()
    (out / "mine" / "data.bin").write_bytes(bytes(range(256)))
    (out / "conftest.py.docgen-tmp").write_text("not docgen's\n", encoding="utf-8")
    (out / "graph_client" / "client.py.docgen-tmp.old").write_text("not docgen's either\n", encoding="utf-8")
    after = generation(
        docs,
        {
            "widget.md": PAGE.format(extra="|new|Int32|Comes.|"),
            "gadget-get.md": OPERATION.format(size=2),
            "gadget.md": GADGET,
        },
    )
    drift = diff_tree(after, read_tree(out))
    assert drift.changed and drift.missing is not None and drift.stale and not drift.blocked
    return out, after, drift


def steps(drift: output.Drift) -> int:
    writes = len(drift.changed) + len(drift.missing)
    return writes + len(drift.stale) + writes  # stage each, move each stale aside, rename each


def test_a_failure_at_any_step_leaves_the_folder_byte_identical(scenario, tmp_path: Path) -> None:
    out, files, drift = scenario
    before = snapshot(out)
    total = steps(drift)
    assert total >= 6
    for step in range(total):
        with pytest.raises(OSError, match="injected failure"):
            write_tree(out, files, drift, fail_after=step)
        assert snapshot(out) == before, f"failure at step {step} changed the folder"
    # and without a failure, the same call applies everything and keeps every user file
    write_tree(out, files, drift)
    after = snapshot(out)
    for rel, text in files.items():
        assert after[rel][1] == text.encode("utf-8")
    for rel in drift.stale:
        assert rel not in after
    for rel in (
        "NOTES.md",
        "graph_client/models/custom.py",
        "mine/data.bin",
        "conftest.py.docgen-tmp",
        "graph_client/client.py.docgen-tmp.old",
    ):
        assert after[rel] == before[rel]
    assert not [rel for rel in after if rel.endswith((".docgen-tmp.2", ".docgen-tmp.old.2"))]


def test_real_os_failures_half_way_roll_back(scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not only the hook: an os.replace or a write that fails part-way is rolled back too."""
    out, files, drift = scenario
    before = snapshot(out)
    real_replace = os.replace
    for failing in range(1, len(drift.changed) + len(drift.missing) + len(drift.stale)):
        calls = {"n": 0}

        def replace(src, dst, _failing=failing):
            calls["n"] += 1
            if calls["n"] == _failing:
                raise PermissionError("replace refused")
            return real_replace(src, dst)

        monkeypatch.setattr(output.os, "replace", replace)
        with pytest.raises(PermissionError):
            write_tree(out, files, drift)
        monkeypatch.setattr(output.os, "replace", real_replace)
        assert snapshot(out) == before, failing

    writes = {"n": 0}
    real_os_write = os.write

    def write(fd: int, data) -> int:
        writes["n"] += 1
        if writes["n"] == 3:  # the disk fills up in the middle of the third file
            real_os_write(fd, data[: len(data) // 2])
            raise OSError(28, "No space left on device")
        return real_os_write(fd, data)

    monkeypatch.setattr(output.os, "write", write)
    with pytest.raises(OSError, match="No space"):
        write_tree(out, files, drift)
    monkeypatch.undo()
    assert snapshot(out) == before


def test_files_without_the_header_are_never_overwritten(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "gadget.md").write_text(GADGET, encoding="utf-8")
    out = tmp_path / "out"
    first = run_docgen("build", "--input", docs, "--output", out, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    mine = out / "graph_client" / "models" / "gadget.py"
    mine.write_text("# I wrote this by hand\nGADGET = 1\n", encoding="utf-8")
    (docs / "gadget.md").write_text(GADGET + "|colour|String|z|\n", encoding="utf-8")
    before = snapshot(out)
    result = run_docgen("build", "--input", docs, "--output", out, cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "out/graph_client/models/gadget.py:1:1: error[DG701]" in result.stderr
    assert snapshot(out) == before  # nothing at all was written: the build is one transaction
    check = run_docgen("check", "--input", docs, "--output", out, cwd=tmp_path)
    assert check.returncode == 1 and "has no docgen header" in check.stdout


def test_user_files_survive_a_build_that_removes_everything(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "gadget.md").write_text(GADGET, encoding="utf-8")
    out = tmp_path / "out"
    assert run_docgen("build", "--input", docs, "--output", out, cwd=tmp_path).returncode == 0
    (out / "graph_client" / "models" / "mine.py").write_text("x = 1\n", encoding="utf-8")
    (out / "graph_client" / "models" / "header_later.py").write_text(
        "x = 1\n# Code generated by docgen from x. DO NOT EDIT.\n", encoding="utf-8"
    )
    (docs / "gadget.md").unlink()
    (docs / "other.md").write_text(
        "# other resource type\n\n## Properties\n\n|Property|Type|\n|-|-|\n|a|String|\n", encoding="utf-8"
    )
    result = run_docgen("build", "--input", docs, "--output", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (out / "graph_client" / "models" / "gadget.py").exists()  # stale, generated: removed
    assert (out / "graph_client" / "models" / "mine.py").read_text(encoding="utf-8") == "x = 1\n"
    assert (out / "graph_client" / "models" / "header_later.py").exists()


def test_a_folder_in_the_way_fails_cleanly(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "gadget.md").write_text(GADGET, encoding="utf-8")
    out = tmp_path / "out"
    (out / "graph_client" / "client.py").mkdir(parents=True)
    (out / "graph_client" / "client.py" / "keep.txt").write_text("keep\n", encoding="utf-8")
    before = snapshot(out)
    result = run_docgen("build", "--input", docs, "--output", out, cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "error[DG703]" in result.stderr
    assert snapshot(out) == before


# ---- paths that would leave the output folder -------------------------------------------------


@pytest.mark.parametrize(
    "rel",
    [
        "../x.py",
        "a/../../x.py",
        "/etc/passwd",
        "a/../b.py",
        "..",
        ".",
        "",
        "a//b.py",
        "./a.py",
        "a/./b.py",
        "a\\..\\b.py",
        "C:/x.py",
        "C:x.py",
        "a/b\x00.py",
        "a/\nb.py",
        "~/x.py",
        ".hidden/x.py",
        "a/ b.py",
        "a/..\u2024/b.py",
    ],
)
def test_unsafe_paths_are_refused(rel: str) -> None:
    with pytest.raises(UnsafePath):
        check_paths({rel: ""})


@pytest.mark.parametrize(
    "rel", ["conftest.py", "graph_client/_runtime.py", "graph_client/models/__init__.py", "tests/test_a_b_2.py"]
)
def test_generated_paths_are_accepted(rel: str) -> None:
    check_paths({rel: ""})


def test_a_symlink_out_of_the_output_folder_is_refused(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "gadget.md").write_text(GADGET, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(outside, out / "graph_client")
    result = run_docgen("build", "--input", docs, "--output", out, cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "error[DG702]" in result.stderr
    assert list(outside.iterdir()) == []
    # the writer refuses on its own too, whoever calls it
    files = {"graph_client/x.py": "# Code generated by docgen from x. DO NOT EDIT.\n"}
    with pytest.raises(UnsafePath):
        write_tree(out, files, diff_tree(files, read_tree(out)))
    assert list(outside.iterdir()) == []


def test_a_crafted_package_name_is_a_usage_error_or_sanitised(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "gadget.md").write_text(GADGET, encoding="utf-8")
    for package in ("../evil", "/abs", "a/b", "..", "graph_client/../../x"):
        result = run_docgen("build", "--input", docs, "--output", tmp_path / "out", "--package", package, cwd=tmp_path)
        assert result.returncode == 2, package
        assert "Traceback" not in result.stderr and "package" in result.stderr
    assert not (tmp_path / "evil").exists() and not (tmp_path / "out").exists()
    # in process (no config check), the plan sanitises it
    files = generate(Config(input=docs, output=tmp_path / "out", package="../../evil"), Sink()).files
    check_paths(files)
    assert {rel.split("/")[0] for rel in files} == {"conftest.py", "pyproject.toml", "evil", "tests"}


SPAN = Span(path="docs/x.md", line=1)


@settings(max_examples=100, deadline=None)
@given(
    st.text(max_size=20),
    st.lists(
        st.text(max_size=20) | st.sampled_from(["..", "../..", "/", "\\", ".", "a/../b", "C:", "\x00"]),
        min_size=1,
        max_size=4,
    ),
)
def test_plan_never_produces_an_unsafe_path(package: str, names: list[str]) -> None:
    string = TypeRef(kind=TypeKind.PRIMITIVE, name="String")
    models = tuple(
        Model(
            name=n,
            namespace="microsoft.graph",
            origin=ModelOrigin.RESOURCE,
            fields=(Field(name="a", type=string, span=SPAN),),
            span=SPAN,
        )
        for n in dict.fromkeys(names)
    )
    enums = (Enum(name="e" + names[0], namespace="n", members=(EnumMember(name="a", span=SPAN),), span=SPAN),)
    files = static_files(package, "docs") + list(
        plan(
            {
                "": validate(ApiSpec(pages=(), models=models, enums=enums)),
                "v1.0": validate(ApiSpec(pages=(), models=models, enums=())),
            },
            package,
            "docs",
            "https://x",
            Sink(),
        ).files
    )
    check_paths([f.path for f in files])
