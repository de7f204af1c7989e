"""The real reference sample (../shared/corpus, skipped when absent): every page processed,
the output compiles, imports and its tests pass, and at least 95% of all documented example
pairs (97% of the testable ones, with the docs' own disagreements) became tests."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from docgen_helpers import CORPUS, ruff_check, run_docgen, run_pytest


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory):
    if not (CORPUS / "api-reference").is_dir():
        pytest.skip("../shared/corpus is not present")
    out = tmp_path_factory.mktemp("corpus") / "out"
    result = run_docgen("build", "--input", CORPUS, "--output", out)
    return out, result


def test_every_page_is_processed_without_errors(corpus_build) -> None:
    out, result = corpus_build
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert " error[" not in result.stderr
    pages = len(list(CORPUS.rglob("*.md")))
    assert re.search(rf"^{pages} pages,", result.stdout, re.MULTILINE), result.stdout


def test_at_least_97_percent_of_testable_examples_become_tests_or_name_a_docs_disagreement(corpus_build) -> None:
    """Placeholder URLs count as testable; an example whose keys its model does not declare
    (DG407: the page's example and tables disagree) is reported to the docs owners instead of
    becoming a test that would pass with the key carried as an untyped extra."""
    _, result = corpus_build
    match = re.search(r"(\d+) testable .*?, (\d+) of those became tests", result.stdout)
    assert match, result.stdout
    testable, tested = map(int, match.groups())
    disagree = re.search(r"(\d+) a documented key is not declared by its model", result.stdout)
    assert testable > 350  # placeholder URLs are tested
    assert tested / testable >= 0.80, result.stdout
    assert (tested + int(disagree.group(1) if disagree else 0)) / testable >= 0.97, result.stdout
    assert "examples not tested:" in result.stdout  # skipped ones are listed with reasons


def test_at_least_95_percent_of_all_documented_examples_become_tests(corpus_build) -> None:
    """The denominator is every documented request/response pair (placeholder URLs, non-JSON
    bodies, examples without a response included); `benchmarks/coverage.py` prints the rest."""
    _, result = corpus_build
    documented = int(re.search(r"examples: (\d+) documented", result.stdout).group(1))
    tests = int(re.search(r"(\d+) example tests", result.stdout).group(1))
    assert documented > 350
    assert tests / documented >= 0.95, result.stdout


def test_generated_tests_pass(corpus_build, tmp_path: Path) -> None:
    out, _ = corpus_build
    result = run_pytest(out, "-x", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.search(r"\d+ passed", result.stdout)


def test_cart_to_class_association_pages_give_one_model_and_five_methods(corpus_build) -> None:
    out, _ = corpus_build
    models = list((out / "graph_client/beta/models").glob("cart_to_class_association*.py"))
    assert [m.name for m in models] == ["cart_to_class_association.py"]
    # one resource group: graph.cart_to_class_associations.create(...), .get, .update, .delete, .list
    operations = (out / "graph_client/beta/operations/cart_to_class_associations.py").read_text()
    for verb in ("create", "get", "update", "delete", "list"):
        assert len(re.findall(rf"\n    (?:async )?def {verb}\(", operations)) == 2  # sync and async
    client = (out / "graph_client/beta/client.py").read_text()
    assert client.count("def cart_to_class_associations(self)") == 2
    tests = sorted(p.name for p in (out / "tests").glob("*carttoclassassociation*"))
    assert len(tests) == 5


def test_import_is_lazy_and_every_module_compiles(corpus_build) -> None:
    out, _ = corpus_build
    code = (
        "import sys, graph_client;"
        "assert 'pydantic' not in sys.modules and 'httpx' not in sys.modules, sorted(sys.modules);"
        "from graph_client.beta import GraphClient;"
        "from graph_client.v1_0.models import User;"
        "print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=out, capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr
    compiled = subprocess.run([sys.executable, "-m", "compileall", "-q", str(out)], capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stdout[-2000:]
    assert max(len(p.relative_to(out).as_posix()) for p in out.rglob("*.py")) <= 150


IMPORT_EACH = """
import importlib, sys
from pathlib import Path
root = Path(sys.argv[1])
sys.path.insert(0, str(root))
failed = []
modules = sorted(p for p in root.glob("graph_client/**/models/*.py") if p.name != "__init__.py")
for path in modules:
    for name in [m for m in sys.modules if m == "graph_client" or m.startswith("graph_client.")]:
        del sys.modules[name]  # as in a fresh interpreter: nothing of the package is imported yet
    dotted = ".".join(path.relative_to(root).with_suffix("").parts)
    try:
        importlib.import_module(dotted)
    except Exception as exc:
        failed.append(f"{dotted}: {exc!r}")
print(len(modules), "modules")
print("\\n".join(failed))
"""


def test_every_model_module_imports_on_its_own(corpus_build) -> None:
    """A circular import shows only when a model module is the first thing imported."""
    out, _ = corpus_build
    done = subprocess.run([sys.executable, "-c", IMPORT_EACH, str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    count, _, failures = done.stdout.partition(" modules\n")
    assert int(count) > 300
    assert failures.strip() == ""


def test_method_names_are_short(corpus_build) -> None:
    """Names come from the REST call, inside their resource group (the group's noun dropped):
    at least 90% have at most four words (the rest are pages named after their titles and long
    enclosing resources, such as androidWorkProfileNineWorkEasConfiguration)."""
    out, _ = corpus_build
    names = [
        name
        for path in out.glob("graph_client/**/operations/*.py")
        for name in re.findall(r"\n    def (\w+)\(", path.read_text(encoding="utf-8"))
        if name != "__init__"
    ]
    assert len(names) > 300
    short = sum(1 for name in names if len(name.split("_")) <= 4)
    assert short / len(names) >= 0.90, sorted(names, key=lambda n: -len(n.split("_")))[:20]
    assert not any("_a_" in f"_{n}_" or "_an_" in f"_{n}_" or "_the_" in f"_{n}_" for n in names)


def test_the_build_passes_ruff(corpus_build) -> None:
    """ruff's default rules over the whole build, from its root (see test_ruff_output.py)."""
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed")
    out, _ = corpus_build
    result = ruff_check(out)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
