"""Golden cases: tests/golden/<case>/docs_input is built; the tree must equal expected/ and the
diagnostics must equal diagnostics.txt. `pytest --update-golden` rewrites both."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from docgen_helpers import ROOT, run_docgen

GOLDEN = ROOT / "tests" / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "docs_input").is_dir())


# The runtime (_runtime, _wire) and the test support are static text; the manifest fingerprints docgen's own
# code, so it changes with every edit of docgen: they are tested elsewhere (test_runtime,
# the generated tests, test_speed) and left out here. The seed's golden tree is generated/
# itself (test_seed checks it).
LEFT_OUT = (
    "graph_client/_runtime.py",
    "graph_client/_wire.py",
    "graph_client/_tasks.py",
    "tests/docgen_test_support.py",
    "docgen-manifest.txt",
)


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.relative_to(folder).as_posix() not in LEFT_OUT
    }


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, tmp_path: Path, update_golden: bool) -> None:
    folder = GOLDEN / case
    out = tmp_path / "out"
    # Run from the case folder so that paths in diagnostics are relative and stable.
    result = run_docgen("build", "--input", "docs_input", "--output", out, cwd=folder)
    assert "Traceback" not in result.stderr
    diagnostics = result.stderr
    if update_golden:
        shutil.rmtree(folder / "expected", ignore_errors=True)
        if out.exists():
            shutil.copytree(out, folder / "expected", ignore=shutil.ignore_patterns("__pycache__"))
            for rel in LEFT_OUT:
                (folder / "expected" / rel).unlink(missing_ok=True)
        (folder / "diagnostics.txt").write_text(diagnostics, encoding="utf-8")
        return
    assert diagnostics == (folder / "diagnostics.txt").read_text(encoding="utf-8")
    expected = folder / "expected"
    assert _tree(out) == (_tree(expected) if expected.exists() else {})
