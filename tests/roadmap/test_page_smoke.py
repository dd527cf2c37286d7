from __future__ import annotations

import pytest


@pytest.mark.usefixtures("roadmap_ready")
def test_roadmap_page_lists_a_planned_dataset(app, make_item) -> None:
    make_item(name="capacity-register", title="Capacity register")
    response = app.get("/roadmap")
    assert response.status_code == 200
    assert "Capacity register" in response.body
