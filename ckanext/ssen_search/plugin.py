"""The ``ssen_search`` plugin: index and search datasets in PostgreSQL."""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.types import CKANApp

from ckanext.ssen_search import backend, errors


@tk.blanket.config_declarations
@tk.blanket.actions
class SsenSearchPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IMiddleware, inherit=True)

    # IConfigurer
    def update_config(self, config: CKANConfig) -> None:
        # runs before CKAN's Solr schema check in load_environment
        backend.install()
        tk.add_template_directory(config, "templates")

    # IMiddleware
    def make_middleware(self, app: CKANApp, config: CKANConfig) -> CKANApp:
        errors.register(app)
        return app
