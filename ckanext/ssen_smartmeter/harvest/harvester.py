"""The ``ssen_smartmeter_harvester`` plugin: a ckanext-harvest harvester.

It publishes each day's aggregated smart meter files as resources of the
monthly ``smart-meter`` datasets. The stages live in their own modules
(:mod:`.gather`, :mod:`.fetch`, :mod:`.import_day`); this class wires them to
ckanext-harvest and turns failures into object errors, so a day that fails
never stops the other days of the job.

The plugin also carries the harvester's action, auth function, helper, CLI
group (``ckan ssen-smartmeter``), job page template and config declarations
(blanket registrations relative to this package).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource
from sqlalchemy import event

from ckanext.ssen_smartmeter.harvest import fetch, gather, import_day, state, workarea
from ckanext.ssen_smartmeter.harvest import source_config as source_config_module
from ckanext.ssen_smartmeter.harvest.day_plan import DayRange
from ckanext.ssen_smartmeter.harvest.logic.auth import can_edit_source, user_context
from ckanext.ssen_smartmeter.harvest.publish import PublishError
from ckanext.ssen_smartmeter.harvest.scrub import public_message, scrub
from ckanext.ssen_smartmeter.harvest.source_config import SourceConfig, SourceConfigError
from ckanext.ssen_smartmeter.harvest.source_privacy import hide_config

log = logging.getLogger(__name__)

HARVESTER_NAME = "ssen_smartmeter"
#: the dataset type of ckanext-harvest's sources
SOURCE_DATASET_TYPE = "harvest"


def _source_type(source_id: str) -> str | None:
    return model.Session.query(HarvestSource.type).filter(HarvestSource.id == source_id).scalar()


def _request_user() -> str:
    """The signed-in user of the current request ("" when anonymous or outside one)."""
    try:
        user = tk.current_user
        return "" if user.is_anonymous else str(user.name)
    except (RuntimeError, AttributeError):
        return ""


def source_roots() -> list[Path]:
    return [Path(r) for r in tk.aslist(tk.config.get("ckanext.ssen_smartmeter.source_roots"))]


def site_threshold() -> int:
    return int(tk.config.get("ckanext.ssen_smartmeter.privacy_threshold") or 5)


def load_config(text: str | None) -> SourceConfig:
    """Parse a source's configuration with this site's roots and threshold."""
    return source_config_module.parse(text, source_roots(), site_threshold())


def _claim_gather(job: HarvestJob) -> str | None:
    """Claim ``job``'s gather (row lock); why not, if it is not in the state gather expects.

    ckanext-harvest has set ``gather_started`` on the object (not yet in the
    database) before calling the gather stage: the stored values decide. A
    refused job gets its stored gather times back, also after ckanext-harvest
    sets ``gather_finished`` on its way out.
    """
    with model.Session.no_autoflush:
        status, started, finished = (
            model.Session.query(
                HarvestJob.status, HarvestJob.gather_started, HarvestJob.gather_finished
            )
            .filter(HarvestJob.id == job.id)
            .with_for_update()
            .one()
        )
    if status == "Running" and started is None and finished is None:
        model.Session.commit()  # stores gather_started: any later delivery is refused
        return None
    stored = {"gather_started": started, "gather_finished": finished}

    def keep_stored(*_args: Any) -> None:
        for key, value in stored.items():
            setattr(job, key, value)

    keep_stored()
    model.Session.commit()  # releases the lock
    # ckanext-harvest's gather_stage sets gather_finished and saves the job next
    event.listen(model.Session(), "before_flush", keep_stored, once=True)
    if status != "Running":
        return f"it is {status}"
    return "its gather already started"


@tk.blanket.config_declarations
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.helpers
@tk.blanket.cli
class SmartMeterHarvester(HarvesterBase, p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IPackageController, inherit=True)

    #: set by the ``ckan ssen-smartmeter`` commands for a synchronous run
    progress: Callable[..., Any] | None = None

    # IConfigurer
    def update_config(self, config: CKANConfig) -> None:
        tk.add_template_directory(config, "templates")

    # IConfigurable
    def configure(self, config: CKANConfig) -> None:
        # our job page extends ckanext-harvest's (same name): put our folder
        # ahead of harvest's, which plugin order puts first
        ours = str(Path(__file__).parent / "templates")
        paths = [path for path in config.get("computed_template_paths", []) if path != ours]
        config["computed_template_paths"] = [ours, *paths]

    # IPackageController: a harvest source's config (folders on this machine,
    # URLs) only for those who may update the source
    def after_dataset_show(self, context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
        if data_dict.get("type") == SOURCE_DATASET_TYPE and not can_edit_source(
            context, data_dict["id"]
        ):
            hide_config(data_dict, _source_type(data_dict["id"]))
        return data_dict

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        context = None
        for result in search_results.get("results") or []:
            if result.get("type") == SOURCE_DATASET_TYPE:
                context = context or user_context(user=_request_user())
                if not can_edit_source(context, result["id"]):
                    hide_config(result, _source_type(result["id"]))
        return search_results

    # IHarvester
    def info(self) -> dict[str, Any]:
        return {
            "name": HARVESTER_NAME,
            "title": "SSEN smart meter aggregation",
            "description": "Aggregates raw half-hourly smart meter reads into daily "
            "LV-feeder and secondary-substation files, published as resources of "
            "monthly smart meter datasets.",
            "form_config_interface": "Text",
            "show_config": True,
        }

    def validate_config(self, config: str | None) -> str | None:
        """Refuse an invalid configuration with one message per key (shown on the form)."""
        parsed = load_config(config)
        if parsed.organisation:
            try:
                tk.get_action("organization_show")(
                    {"ignore_auth": True}, {"id": parsed.organisation, "include_datasets": False}
                )
            except tk.ObjectNotFound:
                raise SourceConfigError(
                    {"organisation": f"{parsed.organisation!r} does not exist"}
                ) from None
        return config

    def gather_stage(self, harvest_job: HarvestJob) -> list[str]:
        """ckanext-harvest's gather (queue consumer, ``run-test``): once per job.

        A job is gathered only while it is ``Running`` and no gather of it has
        started: ``ckan harvester run-test`` runs its job in process but also
        leaves it on the gather queue, and Redis re-delivers a gather message
        after two hours. Such a job is skipped (logged), its record untouched.
        """
        claimed = _claim_gather(harvest_job)
        if claimed is not None:
            log.warning(
                "job %s of source %s not gathered again: %s",
                harvest_job.id,
                harvest_job.source_id,
                claimed,
            )
            return []
        return self.gather_days(harvest_job)

    def gather_days(self, harvest_job: HarvestJob, asked: DayRange | None = None) -> list[str]:
        """Gather, optionally restricted to the days an operator asked for."""
        try:
            config = load_config(harvest_job.source.config)
        except SourceConfigError as exc:
            self._save_gather_error(f"invalid source configuration: {exc}", harvest_job)
            return []
        return gather.gather(harvest_job, config, asked)

    def fetch_stage(self, harvest_object: HarvestObject) -> bool | str:
        return self._run_stage(
            "Fetch",
            harvest_object,
            lambda config: fetch.fetch(harvest_object, config, progress=self.progress),
        )

    def import_stage(self, harvest_object: HarvestObject) -> bool | str:
        owner_org = (
            model.Session.query(model.Package.owner_org)
            .filter(model.Package.id == harvest_object.harvest_source_id)
            .scalar()
        )
        return self._run_stage(
            "Import",
            harvest_object,
            lambda config: import_day.import_day(
                harvest_object, config, owner_org, self._get_user_name()
            ),
        )

    def _run_stage(
        self, stage: str, obj: HarvestObject, run: Callable[[SourceConfig], bool | str]
    ) -> bool | str:
        day = obj.guid
        try:
            result = run(load_config(obj.source.config))
            obj.save()
            return result
        except (SourceConfigError, fetch.FetchError, PublishError) as exc:
            message = (
                public_message(str(exc))
                if not isinstance(exc, SourceConfigError)
                else f"invalid source configuration: {exc}"
            )
        except Exception as exc:  # one day's failure never stops the job
            message = f"{day}: unexpected {type(exc).__name__}: {scrub(str(exc))}"
            log.error(
                "%s stage of %s failed: %s\n%s",
                stage,
                day,
                message,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
        model.Session.rollback()
        obj = model.Session.merge(obj)
        state.set_extra(obj, state.OUTCOME, {"status": "error"})
        obj.save()
        self._save_object_error(message, obj, stage)
        workarea.remove(state.get_extra(obj, state.WORK_DIR))
        log.warning(
            "source %s: %s failed in %s: %s", obj.harvest_source_id, day, stage.lower(), message
        )
        return False
