"""A metadata_modified column with its index (CKAN's default sort).

Revision ID: c3d91f0a6e52
Revises: 8b4f2e7a1c90
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

from ckanext.ssen_search import tables

revision = "c3d91f0a6e52"
down_revision = "8b4f2e7a1c90"
branch_labels = None
depends_on = None

TABLE = tables.TABLE


def upgrade() -> None:
    for statement in tables.create_statements():
        op.execute(statement)
    op.execute(
        f"UPDATE {TABLE} SET metadata_modified = doc ->> 'metadata_modified' "
        "WHERE metadata_modified IS NULL"
    )


def downgrade() -> None:
    op.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS metadata_modified")
