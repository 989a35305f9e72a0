"""Someone else's world: one object of every kind a URL can take, all in Rustavi or owned by
citizen B, each private one carrying a marker string that nobody else may ever be shown.

Objects are made through the services where one exists, so they are in the states real use
leaves them in; rows that only a moderator, a job or the ingest would write are made directly.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone
from pghistory.models import MiddlewareEvents
from procrastinate.contrib.django.models import ProcrastinateJob
from pyproj import Transformer

from cases import services as case_services
from cases.catalogue import catalogue_sync
from cases.models import Outcome, Service, Status
from core.models import District, Membership, Municipality, Role
from datasets.jobs import upload_request
from datasets.models import Dataset, DatasetVersion, VisibilityChoices
from datasets.services import dataset_publish, dataset_update_metadata, dataset_upload
from engagement.models import (
    PATH_WIDTH,
    Comment,
    CommentReport,
    Follow,
    FollowKind,
    Notification,
    NotificationDelivery,
)
from layers.access import api_key_create
from layers.models import ExportJob, ExportStatus
from parcels.models import Block, Building, Parcel, ParcelOwner, Street
from permits.models import BoundaryChangeRequest, ConstraintOverride, PermitApplication
from permits.services import (
    REGISTER_LAYER,
    permit_application_start,
    permit_application_submit,
    permit_application_update,
)
from tests.cases.factories import pdf_file, staff
from tests.conftest import BATUMI_ORIGIN, RUSTAVI_ORIGIN, multi, square
from tests.core.factories import UserFactory
from tests.gisportal.isolation.budgeting_world import build_budgeting
from tests.gisportal.isolation.estate_world import build_estate
from tests.parcels.factories import ParcelFactory
from tests.permits.factories import ConstraintFactory, ZoneFactory, monument

# Every marker starts so; a body is searched for each whole marker.
MARK = "zqmark"
DATASET = "zqmark-wells"
TO_LONLAT = Transformer.from_crs(settings.SRID_STORAGE, 4326, always_xy=True)


def at(dx: float, dy: float) -> tuple[float, float]:
    """A point dx, dy metres from Rustavi's test origin, EPSG:32638."""
    return RUSTAVI_ORIGIN[0] + dx, RUSTAVI_ORIGIN[1] + dy


@dataclass
class World:
    """What citizen B and Rustavi hold. `markers` names each private string by where it lives."""

    rustavi: Municipality
    owner: object
    planner: object
    officer: object
    draft: PermitApplication
    open: PermitApplication
    decided: PermitApplication
    parcel: Parcel
    dataset: Dataset
    version: DatasetVersion
    upload: object
    feature_fid: int
    hidden_comment: Comment
    visible_comment: Comment
    follow: Follow
    notification: Notification
    export_job: ExportJob
    boundary_change: BoundaryChangeRequest
    estate: dict[str, object] = field(default_factory=dict)
    budgeting: dict[str, object] = field(default_factory=dict)
    markers: dict[str, str] = field(default_factory=dict)
    rows: list[models.Model] = field(default_factory=list)

    @property
    def document(self):
        return self.open.case.documents.get(original_name__startswith=MARK)

    @property
    def information_request(self):
        return self.open.case.information_requests.get()

    def of_model(self, model: type[models.Model]) -> list[models.Model]:
        """The world's rows of a model (its concrete class, so proxies find theirs too)."""
        concrete = model._meta.concrete_model
        return [row for row in self.rows if type(row)._meta.concrete_model is concrete]


def mark(world_markers: dict[str, str], label: str, value: str | None = None) -> str:
    value = value or f"{MARK}-{label}"
    world_markers[label] = value
    return value


def _owner(markers):
    return UserFactory(
        username=mark(markers, "owner-username", "zqmarkowner"),
        email=mark(markers, "owner-email", "zqmark-owner@example.ge"),
        first_name=mark(markers, "owner-first-name", "Zqmarkfirst"),
        last_name=mark(markers, "owner-last-name", "Zqmarklast"),
    )


def _application(owner, code: str, *, submit: bool):
    application = permit_application_start(
        applicant=owner, stage="merged", building_class="II", parcel_codes=[code]
    )
    permit_application_update(application=application, by=owner, footprint_area_m2=80, floors=2)
    if submit:
        for kind in application.case.service.document_types.filter(required=True):
            case_services.case_document_add(
                case=application.case, doc_type=kind.code, file=pdf_file(), by=owner
            )
        permit_application_submit(application=application, by=owner)
    return application


def _cadastre(rustavi, markers) -> dict[str, models.Model]:
    zone = ZoneFactory(municipality=rustavi)
    parcels = [
        ParcelFactory(
            municipality=rustavi,
            cadastral_code=f"02.07.03.{500 + i}",
            geom=multi(square(*at(100 + 30 * i, 100), 20)),
        )
        for i in range(3)
    ]
    x, y = at(100, 200)
    rows = {
        "zone": zone,
        "parcel": parcels[0],
        "street": Street.objects.create(
            municipality=rustavi,
            name_ka="ქუჩა",
            name_en="Street",
            geom=f"SRID={settings.SRID_STORAGE};MULTILINESTRING(({x} {y},{x + 50} {y}))",
        ),
        "block": Block.objects.create(
            municipality=rustavi, code="B-1", geom=multi(square(*at(0, 0), 300))
        ),
        "building": Building.objects.create(
            municipality=rustavi, floors=3, geom=multi(square(*at(105, 105), 8))
        ),
        "constraint": ConstraintFactory(municipality=rustavi),
        "monument": monument(rustavi, x=at(400, 400)[0], y=at(400, 400)[1], height_m=10),
        "owner": ParcelOwner.objects.create(
            parcel=parcels[0],
            name=mark(markers, "parcel-owner-name"),
            email=mark(markers, "parcel-owner-email", "zqmark-parcel-owner@example.ge"),
            phone=mark(markers, "parcel-owner-phone", "zqmark-555"),
        ),
        "district": District.objects.create(
            municipality=rustavi,
            code="zq",
            name_ka="უბანი",
            name_en="District",
            boundary=multi(square(*at(0, 0), 1000)),
        ),
    }
    rows["parcels"] = parcels
    return rows


def _case_trail(world_markers, open_app, planner, owner) -> BoundaryChangeRequest:
    case = open_app.case
    pdf_kind = case.service.document_types.filter(content_types__contains=["application/pdf"])
    case_services.case_document_add(
        case=case,
        doc_type=pdf_kind.first().code,
        file=pdf_file(f"{mark(world_markers, 'document-name')}.pdf"),
        by=owner,
    )
    case_services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)
    case_services.case_message_post(
        case=case, author=owner, body=mark(world_markers, "case-message")
    )
    case_services.case_message_post(
        case=case, author=planner, body=mark(world_markers, "internal-note"), internal=True
    )
    case_services.information_request_open(
        case=case, text=mark(world_markers, "information-request"), by=planner
    )
    case.refresh_from_db()
    type(case).objects.filter(pk=case.pk).update(
        contact_phone=mark(world_markers, "contact-phone", "zqmark-phone"),
        payload={**case.payload, "note": mark(world_markers, "case-payload")},
    )
    ConstraintOverride.objects.create(
        application=open_app,
        text="zq",
        action="add",
        reason=mark(world_markers, "override-reason"),
        by=planner,
    )
    return BoundaryChangeRequest.objects.create(
        application=open_app,
        old_site=open_app.site,
        proposed_site=open_app.site,
        reason=mark(world_markers, "boundary-reason"),
        requested_by=planner,
        due_date=datetime.date.today() + datetime.timedelta(days=7),
    )


def _dataset(world_markers, rustavi, officer) -> DatasetVersion:
    lon, lat = TO_LONLAT.transform(*at(600, 600))
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                # Properties first: the streaming reader finds no geometry before them.
                "properties": {"note": mark(world_markers, "dataset-feature")},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        ],
    }
    version = dataset_upload(
        user=officer,
        municipality=rustavi,
        name=DATASET,
        title_ka=mark(world_markers, "dataset-title-ka"),
        title_en=mark(world_markers, "dataset-title-en"),
        fileobj=SimpleUploadedFile("wells.geojson", json.dumps(geojson).encode()),
        file_name="wells.geojson",
        notes=mark(world_markers, "version-notes"),
    )
    dataset = dataset_publish(user=officer, dataset=version.dataset)
    dataset_update_metadata(
        user=officer,
        dataset=dataset,
        visibility=VisibilityChoices.STAFF,
        abstract_en=mark(world_markers, "dataset-abstract"),
        contact_email=mark(world_markers, "dataset-contact", "zqmark-gis@example.ge"),
    )
    return version


def _upload(world_markers, rustavi, officer):
    """An upload still waiting for its ingest job."""
    return upload_request(
        user=officer,
        municipality=rustavi,
        fileobj=SimpleUploadedFile("springs.geojson", b'{"type": "FeatureCollection"}'),
        file_name=mark(world_markers, "upload-file-name", "zqmark-springs.geojson"),
        name="zqmark-springs",
        title_ka="წყაროები",
        title_en="Springs",
    )


def _comment(author, rustavi, application, body: str, **fields) -> Comment:
    comment = Comment.objects.create(
        layer=REGISTER_LAYER,
        feature_id=str(application.pk),
        municipality=rustavi,
        author=author,
        stance="neutral",
        body=body,
        body_original=body,
        path="",
        **fields,
    )
    comment.path = f"{comment.pk:0{PATH_WIDTH}d}"
    comment.save(update_fields=["path"])
    return comment


def _engagement(world_markers, owner, rustavi, application, moderator) -> dict:
    # Comments are public with their author's name, so a neighbour writes them, and the
    # reason for hiding one is shown in its place: only the hidden text is private.
    neighbour = UserFactory(first_name="Giorgi", last_name="Kapanadze")
    hidden = _comment(
        neighbour,
        rustavi,
        application,
        mark(world_markers, "hidden-comment"),
        hidden_at=timezone.now(),
        hidden_by=moderator,
        hidden_reason="Off topic.",
    )
    visible = _comment(neighbour, rustavi, application, "A public remark.")
    report = CommentReport.objects.create(
        comment=visible,
        reporter=owner,
        reason="other",
        details=mark(world_markers, "report-details"),
    )
    area = Polygon.from_bbox((*at(0, 0), *at(500, 500)))
    area.srid = settings.SRID_STORAGE
    follow = Follow.objects.create(
        user=owner, kind=FollowKind.AREA, area=area, name=mark(world_markers, "follow-name")
    )
    feature_follow = Follow.objects.create(
        user=owner, kind=FollowKind.FEATURE, layer=REGISTER_LAYER, feature_id=str(application.pk)
    )
    notification = Notification.objects.create(
        recipient=owner,
        recipient_name=owner.get_full_name(),
        kind="case_status",
        subject=mark(world_markers, "notification-subject"),
        body=mark(world_markers, "notification-body"),
        url=f"/ka/cases/{application.case.reference}/",
        language="ka",
        municipality=rustavi,
    )
    delivery = NotificationDelivery.objects.create(
        notification=notification, channel="email", address=owner.email
    )
    return {
        "hidden": hidden,
        "visible": visible,
        "report": report,
        "follow": follow,
        "feature_follow": feature_follow,
        "notification": notification,
        "delivery": delivery,
    }


def _export_job(world_markers, owner) -> ExportJob:
    # A public layer's file: B, who asked for it, may download it; the layer's access is
    # not what is tested here, the file's owner is.
    job = ExportJob.objects.create(
        layer="parcels",
        format="geojson",
        srid=4326,
        user=owner,
        status=ExportStatus.DONE,
        error=mark(world_markers, "export-error"),
        finished_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    job.file.save("zq.geojson", ContentFile(mark(world_markers, "export-file").encode()))
    return job


def municipalities() -> tuple[Municipality, Municipality]:
    """Batumi and Rustavi, drawn as tests/conftest.py draws them (its fixtures are per test)."""
    made = []
    for code, name, (x, y), lon, lat in (
        ("BTM", "Batumi", BATUMI_ORIGIN, 41.64, 41.64),
        ("RST", "Rustavi", RUSTAVI_ORIGIN, 45.0, 41.55),
    ):
        made.append(
            Municipality.objects.create(
                code=code,
                name_ka=name,
                name_en=name,
                boundary=multi(square(x, y, 4000)),
                center_lon=lon,
                center_lat=lat,
            )
        )
    return made[0], made[1]


def _estate_rows(estate: dict) -> list[models.Model]:
    from estate.models import ContractAsset, LotAsset

    rows = [
        row for value in estate.values() for row in (value if isinstance(value, list) else [value])
    ]
    lots = [estate["draft_lot"], estate["open_lot"], estate["awarded_lot"]]
    rows += list(LotAsset.objects.filter(lot__in=lots))
    rows += list(ContractAsset.objects.filter(contract=estate["contract"]))
    return rows


def build_world(rustavi: Municipality) -> World:
    """Citizen B's applications, comments, follows and notifications in Rustavi, and Rustavi's
    staff-only dataset, export, cadastre and catalogue rows."""
    catalogue_sync()
    markers: dict[str, str] = {}
    owner = _owner(markers)
    planner = staff(rustavi, Role.PLANNER)
    officer = staff(rustavi, Role.GIS_OFFICER)
    moderator = staff(rustavi, Role.MUNICIPAL_ADMIN)
    cadastre = _cadastre(rustavi, markers)
    codes = [p.cadastral_code for p in cadastre["parcels"]]

    draft = _application(owner, codes[0], submit=False)
    type(draft.case).objects.filter(pk=draft.case.pk).update(summary=mark(markers, "draft-summary"))
    PermitApplication.objects.filter(pk=draft.pk).update(
        public_description=mark(markers, "draft-description")
    )
    open_app = _application(owner, codes[1], submit=True)
    boundary_change = _case_trail(markers, open_app, planner, owner)
    decided = _application(owner, codes[2], submit=True)
    case_services.case_transition(case=decided.case, to=Status.IN_REVIEW, by=planner)
    decision = case_services.decision_issue(
        case=decided.case,
        outcome=Outcome.REFUSED,
        by=planner,
        reasons=mark(markers, "decision-reasons"),
    )

    version = _dataset(markers, rustavi, officer)
    engagement = _engagement(markers, owner, rustavi, open_app, moderator)
    export_job = _export_job(markers, owner)
    service = Service.objects.create(
        code="zq_rustavi_only",
        name_ka="მომსახურება",
        name_en="Service",
        module="permits",
        municipality=rustavi,
        working_days=10,
    )
    email = EmailAddress.objects.create(user=owner, email=owner.email, primary=True)
    api_key, _secret = api_key_create(name=mark(markers, "api-key-system"), layers=[DATASET])
    authenticator = Authenticator.objects.create(
        user=owner, type=Authenticator.Type.TOTP, data={"secret": "not-a-real-secret"}
    )
    upload = _upload(markers, rustavi, officer)
    property_officer = staff(rustavi, Role.PROPERTY_OFFICER)
    estate = build_estate(markers, mark, rustavi, owner, property_officer, cadastre["parcels"])
    budget_officer = staff(rustavi, Role.BUDGET_OFFICER)
    budgeting = build_budgeting(markers, mark, rustavi, owner, budget_officer)
    events = MiddlewareEvents.objects.tracks(open_app.case)[:1]
    jobs = ProcrastinateJob.objects.filter(args__decision_id=decision.pk)
    for application in (draft, open_app, decided):
        application.refresh_from_db()

    rows: list[models.Model] = [
        owner,
        email,
        api_key,
        authenticator,
        upload,
        *events,
        *jobs,
        rustavi,
        service,
        decision,
        boundary_change,
        export_job,
        version.dataset,
        version,
        *Membership.objects.filter(municipality=rustavi),
        *(a.case for a in (draft, open_app, decided)),
        draft,
        open_app,
        decided,
        *ConstraintOverride.objects.filter(application=open_app),
        *(row for key, row in cadastre.items() if key != "parcels"),
        *engagement.values(),
        *_estate_rows(estate),
        *budgeting.values(),
    ]
    return World(
        rustavi=rustavi,
        owner=owner,
        planner=planner,
        officer=officer,
        draft=draft,
        open=open_app,
        decided=decided,
        parcel=cadastre["parcel"],
        dataset=version.dataset,
        version=version,
        upload=upload,
        feature_fid=version.features.get().fid,
        hidden_comment=engagement["hidden"],
        visible_comment=engagement["visible"],
        follow=engagement["follow"],
        notification=engagement["notification"],
        export_job=export_job,
        boundary_change=boundary_change,
        estate=estate,
        budgeting=budgeting,
        markers=markers,
        rows=rows,
    )
