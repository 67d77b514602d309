"""Fixtures for the GraphQL layer's unit tests (anyio_backend comes from tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.unit.schema.schema_fakes import Api, FakeServices


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


@pytest.fixture
def api(services: FakeServices) -> Api:
    return Api(services)
