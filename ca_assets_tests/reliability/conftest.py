"""The reliability tier: every test under this folder carries the `reliability` marker, so
`make test-reliability` (pytest -m reliability) runs exactly these, and `make test` runs them with the rest."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "/reliability/" in str(item.fspath):
            item.add_marker(pytest.mark.reliability)
