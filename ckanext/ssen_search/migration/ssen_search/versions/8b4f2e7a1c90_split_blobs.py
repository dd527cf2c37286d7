"""Move data_dict/validated_data_dict to their own table; keep the document
and the vector inline (STORAGE MAIN) so scans never read TOAST.

Revision ID: 8b4f2e7a1c90
Revises: 5e1a0c3d9b21
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

from ckanext.ssen_search import tables

revision = "8b4f2e7a1c90"
down_revision = "5e1a0c3d9b21"
branch_labels = None
depends_on = None

TABLE = tables.TABLE
BLOB = tables.BLOB_TABLE


def upgrade() -> None:
    for statement in tables.create_statements():
        op.execute(statement)
    # a table of the first layout still has the blob columns: move them
    op.execute(f"""
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM information_schema.columns
                       WHERE table_name = '{TABLE}' AND column_name = 'data_dict') THEN
                INSERT INTO {BLOB} (index_id, data_dict, validated_data_dict)
                    SELECT index_id, data_dict, validated_data_dict FROM {TABLE}
                    ON CONFLICT (index_id) DO NOTHING;
                ALTER TABLE {TABLE} DROP COLUMN data_dict,
                    DROP COLUMN validated_data_dict;
            END IF;
        END $$""")


def downgrade() -> None:
    op.execute(
        f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS data_dict text, "
        "ADD COLUMN IF NOT EXISTS validated_data_dict text"
    )
    op.execute(
        f"UPDATE {TABLE} AS t SET data_dict = b.data_dict, "
        f"validated_data_dict = b.validated_data_dict FROM {BLOB} AS b "
        "WHERE b.index_id = t.index_id"
    )
    op.execute(f"DROP TABLE IF EXISTS {BLOB}")
