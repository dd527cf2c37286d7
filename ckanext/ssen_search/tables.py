"""The DDL of the search index table, shared by the migration and the
on-demand re-creation (CKAN's ``clean_db`` drops every table).

Pure module: no CKAN imports.
"""
from __future__ import annotations

TABLE = "ssen_search_package"

_CREATE = [
    f"""
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
    )
    """,
    f"CREATE INDEX IF NOT EXISTS {TABLE}_vector_idx ON {TABLE} USING GIN (search_vector)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_doc_idx ON {TABLE} USING GIN (doc jsonb_path_ops)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_id_idx ON {TABLE} (id)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_name_idx ON {TABLE} (name)",
]


def create_statements() -> list[str]:
    """Idempotent statements that create the table and its indexes."""
    return [" ".join(s.split()) for s in _CREATE]


def drop_statements() -> list[str]:
    return [f"DROP TABLE IF EXISTS {TABLE}"]
