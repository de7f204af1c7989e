"""Shared fixtures: the repository root, the real corpus (skipped when absent), running docgen."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from docgen_helpers import CORPUS  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/*/expected and the expected parts of tests/fixtures/extract/*.md from docgen's output",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "api-reference").is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


@pytest.fixture(scope="module")
def no_docgen_cache():
    """In-process builds of a module must not fill the user's docgen cache (nor read from it):
    `pytestmark = pytest.mark.usefixtures("no_docgen_cache")`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DOCGEN_CACHE_DIR", "")
        yield
