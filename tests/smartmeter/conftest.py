from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def unowned_datasets(ckan_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Allow datasets without an organisation (the ``ckan_config`` marker is not
    registered under --strict-markers)."""
    monkeypatch.setitem(ckan_config, "ckan.auth.create_unowned_dataset", True)
