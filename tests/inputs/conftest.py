"""Fixtures for the reader tests: the fixture files and a local HTTP server."""

from __future__ import annotations

from pathlib import Path

import pytest

from .webserver import Server

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data() -> Path:
    return DATA


@pytest.fixture(scope="module")
def server():
    site = Server()
    yield site
    site.stop()
