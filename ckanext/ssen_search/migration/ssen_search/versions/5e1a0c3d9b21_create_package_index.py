"""Create the package search index table.

Revision ID: 5e1a0c3d9b21
Revises:
Create Date: 2026-11-23
"""
from __future__ import annotations

from alembic import op

from ckanext.ssen_search import tables

revision = "5e1a0c3d9b21"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in tables.create_statements():
        op.execute(statement)


def downgrade() -> None:
    for statement in tables.drop_statements():
        op.execute(statement)
