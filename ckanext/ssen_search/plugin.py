"""The ``ssen_search`` plugin: index and search datasets in PostgreSQL."""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig

from ckanext.ssen_search import backend


@tk.blanket.config_declarations
class SsenSearchPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    # IConfigurer
    def update_config(self, config: CKANConfig) -> None:
        # runs before CKAN's Solr schema check in load_environment
        backend.install()
