"""Real recordings for the signal tests, through the project's data registry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reeducate.example_data import ExampleDataMissing, fetch
from tests.support import require


@pytest.fixture
def example() -> Callable[[str], Path]:
    """``example(name)``: the path of a registered recording; skipped here, failed in CI, if absent."""

    def find(name: str) -> Path:
        try:
            return fetch(name)
        except ExampleDataMissing as missing:
            require(False, name, str(missing))
            raise

    return find
