"""state, capacity and dataset_type as plain columns (CKAN filters on them
in every search).

Revision ID: e7a2b5c8d034
Revises: c3d91f0a6e52
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

from ckanext.ssen_search import tables

revision = "e7a2b5c8d034"
down_revision = "c3d91f0a6e52"
branch_labels = None
depends_on = None

TABLE = tables.TABLE


def upgrade() -> None:
    for statement in tables.create_statements():
        op.execute(statement)
    op.execute(
        f"UPDATE {TABLE} SET state = doc ->> 'state', capacity = doc ->> 'capacity', "
        "dataset_type = doc ->> 'dataset_type' WHERE state IS NULL"
    )


def downgrade() -> None:
    op.execute(
        f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS state, "
        "DROP COLUMN IF EXISTS capacity, DROP COLUMN IF EXISTS dataset_type"
    )
