"""Create the package search index table.

Revision ID: 5e1a0c3d9b21
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "5e1a0c3d9b21"
down_revision = None
branch_labels = None
depends_on = None

TABLE = "ssen_search_package"


def upgrade() -> None:
    # the first layout; 8b4f2e7a1c90 moves the JSON blobs to their own table
    op.execute(f"""
        CREATE TABLE IF NOT EXISTS {TABLE} (
            index_id text PRIMARY KEY,
            id text NOT NULL,
            name text,
            site_id text NOT NULL,
            doc jsonb NOT NULL,
            data_dict text,
            validated_data_dict text,
            search_vector tsvector NOT NULL,
            indexed_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )""")
    op.execute(
        f"CREATE INDEX IF NOT EXISTS {TABLE}_vector_idx ON {TABLE} USING GIN (search_vector)"
    )
    op.execute(
        f"CREATE INDEX IF NOT EXISTS {TABLE}_doc_idx ON {TABLE} USING GIN (doc jsonb_path_ops)"
    )
    op.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_id_idx ON {TABLE} (id)")
    op.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_name_idx ON {TABLE} (name)")


def downgrade() -> None:
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
