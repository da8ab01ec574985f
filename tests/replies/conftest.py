"""Reply tests post marketplace events the way the platforms do."""
from __future__ import annotations

import pytest

from tests.marketplaces.conftest import Hooks


@pytest.fixture
def hooks(client, services, seller_a) -> Hooks:
    return Hooks(client, services, seller_a)
