"""Generated code passes ruff's default rules (`ruff check --isolated`, the version pinned in the
`test` extra) as it is written: the golden trees, the seed's tree (generated/) and, in
test_corpus.py, a build of the corpus. No rule is turned off and no `noqa` stands where ruff
would not report something (RUF100 checks that)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from docgen.runtime import SHIPPED
from docgen_helpers import ROOT, ruff_check, run_docgen

GOLDEN = ROOT / "tests" / "golden"
TREES = sorted(p.name for p in GOLDEN.iterdir() if (p / "expected").is_dir())

pytestmark = pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff is not installed")


@pytest.mark.parametrize("tree", [*TREES, "generated"])
def test_the_tree_passes_ruff(tree: str, tmp_path: Path) -> None:
    folder = ROOT / "generated"
    if tree != "generated":
        # a golden tree leaves out the static modules; ruff places an import of one by whether
        # its file exists (first party or not), so lay them in as every build writes them
        folder = tmp_path / tree
        shutil.copytree(GOLDEN / tree / "expected", folder)
        for module in SHIPPED:
            shutil.copy(ROOT / "generated" / "graph_client" / module, folder / "graph_client" / module)
    result = ruff_check(folder)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_check_notices_a_finding(tmp_path: Path) -> None:
    """A template overlay that leaves an import unused is reported, and only that: the test
    above can fail."""
    shutil.copytree(GOLDEN / "docset" / "docs_input", tmp_path / "in")
    overlay = tmp_path / "mine"
    overlay.mkdir()
    model = (ROOT / "templates" / "model.py.j2").read_text(encoding="utf-8")
    (overlay / "model.py.j2").write_text(model.replace("import typing as _t\n", "import os\nimport typing as _t\n"))
    result = run_docgen("build", "--input", "in", "--output", "out", "--templates", "mine", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    found = ruff_check(tmp_path / "out")
    assert found.returncode == 1
    assert "F401 [*] `os` imported but unused" in found.stdout
    assert {line.split(": ", 1)[1].split(" ", 1)[0] for line in found.stdout.splitlines() if ": " in line} == {"F401"}
