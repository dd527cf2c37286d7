"""The DDL of the search index, shared by the migrations and the on-demand
re-creation (CKAN's ``clean_db`` drops every table).

Pure module: no CKAN imports.

Two tables: ``ssen_search_package`` holds what queries read (the JSONB
document, the weighted tsvector), kept inline in the row (``STORAGE MAIN``)
so a scan never detours through TOAST; ``ssen_search_package_blob`` holds the
two large JSON strings CKAN only ever returns (``data_dict``,
``validated_data_dict``), read for the rows of one page.
"""

from __future__ import annotations

TABLE = "ssen_search_package"
BLOB_TABLE = "ssen_search_package_blob"

_CREATE = [
    f"""
    CREATE TABLE IF NOT EXISTS {TABLE} (
        index_id text PRIMARY KEY,
        id text NOT NULL,
        name text,
        site_id text NOT NULL,
        doc jsonb NOT NULL,
        search_vector tsvector NOT NULL,
        indexed_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )
    """,
    f"ALTER TABLE {TABLE} ALTER COLUMN doc SET STORAGE MAIN",
    f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STORAGE MAIN",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_vector_idx ON {TABLE} USING GIN (search_vector)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_doc_idx ON {TABLE} USING GIN (doc jsonb_path_ops)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_id_idx ON {TABLE} (id)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_name_idx ON {TABLE} (name)",
    # CKAN's default order (score desc, metadata_modified desc) without a
    # free-text query is an index scan
    f'ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS metadata_modified text COLLATE "C"',
    f"CREATE INDEX IF NOT EXISTS {TABLE}_modified_idx ON {TABLE} "
    "(metadata_modified DESC NULLS LAST)",
    # filters CKAN adds to every search (state, capacity, dataset type) as
    # plain columns: the planner has statistics for them, not for JSONB
    # containment, and picks the selective condition to drive the scan
    f'ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS state text COLLATE "C"',
    f'ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS capacity text COLLATE "C"',
    f'ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS dataset_type text COLLATE "C"',
    f"""
    CREATE TABLE IF NOT EXISTS {BLOB_TABLE} (
        index_id text PRIMARY KEY REFERENCES {TABLE} (index_id) ON DELETE CASCADE,
        data_dict text,
        validated_data_dict text
    )
    """,
]


def create_statements() -> list[str]:
    """Idempotent statements that create the current tables and indexes."""
    return [" ".join(s.split()) for s in _CREATE]


def drop_statements() -> list[str]:
    return [f"DROP TABLE IF EXISTS {BLOB_TABLE}", f"DROP TABLE IF EXISTS {TABLE}"]
