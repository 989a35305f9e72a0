"""Every model keeps its history by triggers or is exempted here with a reason (docs/audit.md).

A new model fails this test until it is tracked with `core.audit.track` or given a line below.
"""

import pgtrigger
import pytest
from django.apps import apps
from pghistory.models import Event

# Tables that keep no history, each with the reason. The audited ones are those that hold a
# decision, a status, money, a bid, a ballot, a signature or personal data, or say who may do what.
EXEMPT = {
    # Django, allauth, the job queue and pghistory itself
    "admin.logentry": "Django's admin log: itself a record of changes made in the admin.",
    "auth.permission": "made by migrate from the code; who is granted one is tracked.",
    "contenttypes.contenttype": "made by migrate from the code.",
    "sessions.session": "a sign-in's cookie state, renewed on requests; the account is tracked.",
    "sites.site": "the one site's name and domain for allauth's e-mails.",
    "account.emailconfirmation": "a one-time key; the verification is on EmailAddress, tracked.",
    "procrastinate.procrastinatejob": "the job queue: work to do, not a decision or a person.",
    "procrastinate.procrastinateevent": "the job queue's own log of its jobs.",
    "procrastinate.procrastinateperiodicdefer": "when a periodic job last ran.",
    "procrastinate.procrastinateworker": "the job queue's running workers.",
    "gis.postgisgeometrycolumns": "PostGIS's own catalogue of geometry columns.",
    "gis.postgisspatialrefsys": "PostGIS's own table of coordinate systems.",
    "pghistory.context": "who and where of a change: written with its events, never changed.",
    "pghistory.events": "a read-only view over all event tables.",
    "pghistory.middlewareevents": "a read-only view over all event tables.",
    # Reference geography and the map
    "core.municipality": "boundaries from the national registers, loaded once: no person.",
    "core.district": "boundaries and populations from the registers: no person.",
    "parcels.street": "base-map geometry: no decision, status or person.",
    "parcels.building": "base-map geometry: no decision, status or person.",
    "parcels.block": "a cadastral block's outline, derived from the parcel codes.",
    # Counters, caches and uploaded data
    "cases.referencecounter": "a counter; the references it gives are on the tracked cases.",
    "layers.layerstate": "a cache version that every write to a layer bumps.",
    "layers.exportjob": "a download being written; expires within hours.",
    "datasets.datasetversion": "an upload's record, written by the ingest; which one is served "
    "is Dataset.active_version, tracked.",
    "datasets.datasetupload": "a file waiting to be read by the ingest job, with its progress; "
    "what it made is a DatasetVersion and the Dataset, tracked.",
    "datasets.datasetfeature": "uploaded features, kept per version and never overwritten.",
}


def _event_models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if issubclass(model, Event) and model.pgh_tracked_model is not None
    ]


def _tracked_tables() -> set[str]:
    return {model.pgh_tracked_model._meta.db_table for model in _event_models()}


def _models_to_judge():
    """Every model but the event models themselves, Django's auto-created link tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not (issubclass(model, Event) and model.pgh_tracked_model is not None)
    ]


def test_every_model_is_tracked_or_exempted_with_a_reason():
    tracked = _tracked_tables()
    missing = sorted(
        model._meta.label_lower
        for model in _models_to_judge()
        if model._meta.db_table not in tracked and model._meta.label_lower not in EXEMPT
    )
    assert missing == [], (
        "These models keep no history: track them with core.audit.track (docs/audit.md) "
        "or add them to EXEMPT with the reason."
    )


def test_no_exemption_names_a_model_that_is_gone_or_tracked():
    models = {model._meta.label_lower: model for model in _models_to_judge()}
    tracked = _tracked_tables()
    assert sorted(label for label in EXEMPT if label not in models) == []
    assert sorted(label for label in EXEMPT if models[label]._meta.db_table in tracked) == []


def test_the_tables_that_hold_decisions_money_and_personal_data_are_tracked():
    tracked = _tracked_tables()
    for label in (
        "auth.user",
        "account.emailaddress",
        "mfa.authenticator",
        "core.membership",
        "cases.case",
        "cases.decision",
        "cases.service",
        "cases.casestatuschange",
        "parcels.parcel",
        "parcels.parcelowner",
        "permits.permitapplication",
        "permits.constraintoverride",
        "permits.consultedneighbour",
        "engagement.comment",
        "engagement.notificationdelivery",
        "layers.apikey",
        "datasets.dataset",
    ):
        assert apps.get_model(label)._meta.db_table in tracked, label


@pytest.mark.parametrize("event_model", _event_models(), ids=lambda m: m._meta.label)
def test_every_history_records_inserts_updates_and_deletes_and_is_append_only(event_model):
    operations = {str(tracker.operation) for tracker in event_model.pgh_trackers}
    assert {"INSERT", "UPDATE", "DELETE"} <= operations
    assert "append_only" in {trigger.name for trigger in event_model._meta.triggers}


def test_no_password_hash_second_factor_secret_or_personal_number_is_copied_into_history():
    user_event = apps.get_model("core", "UserEvent")
    owner_event = apps.get_model("parcels", "ParcelOwnerEvent")
    api_key_event = apps.get_model("layers", "ApiKeyEvent")
    authenticator_event = apps.get_model("core", "AuthenticatorEvent")
    assert "password" not in {f.name for f in user_event._meta.fields}
    assert "data" not in {f.name for f in authenticator_event._meta.fields}
    assert "personal_number" not in {f.name for f in owner_event._meta.fields}
    assert "key_hash" not in {f.name for f in api_key_event._meta.fields}


def test_every_trigger_is_installed_and_enabled_in_the_database(db):
    triggers = pgtrigger.registered()
    assert triggers
    problems = []
    for model, trigger in triggers:
        status, enabled = trigger.get_installation_status(model)
        if (status, enabled) != ("INSTALLED", True):
            problems.append(f"{model._meta.label} {trigger.name}: {status}, enabled={enabled}")
    assert problems == [], "A migration is missing: run makemigrations."
