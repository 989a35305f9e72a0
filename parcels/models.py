"""The cadastre: parcels with their history, zoning, streets, buildings and cadastral blocks."""

import re

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import Transform
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import audit
from core.models import BilingualNameMixin, Municipality

CADASTRAL_CODE = re.compile(r"^\d{1,3}(\.\d{1,4}){3,4}$")

# Geometry fields set spatial_index=False: each has a named GistIndex in its Meta instead of
# GeoDjango's unnamed one (STYLE.md 5), and two indexes would double the upkeep of every write.


def validate_cadastral_code(value: str) -> None:
    """NAPR codes: 4 or 5 dot-separated groups of digits, e.g. 05.24.11.005."""
    if not CADASTRAL_CODE.match(value or ""):
        raise ValidationError(
            _("%(value)s is not a cadastral code (4 or 5 dot-separated groups of digits)."),
            params={"value": value},
            code="cadastral_code",
        )


class LandUse(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    COMMERCIAL = "commercial", _("Commercial")
    MIXED = "mixed", _("Mixed use")
    INDUSTRIAL = "industrial", _("Industrial")
    PUBLIC = "public", _("Public services")
    GREEN = "green", _("Green space")
    AGRICULTURAL = "agricultural", _("Agricultural")
    TRANSPORT = "transport", _("Transport")


class ZoneQuerySet(models.QuerySet):
    def covering(self, geom):
        return self.filter(geom__intersects=geom)


@audit.track()
class Zone(BilingualNameMixin):
    """A land-use zone with its coefficients: K-1 coverage, K-2 floor area, K-3 green share."""

    public_rows = True  # anyone reads these rows; writes stay in scope (core/db/rls.py)

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="zones", verbose_name=_("municipality")
    )
    code = models.CharField(_("code"), max_length=30)
    k1 = models.DecimalField(_("K-1 (max. coverage)"), max_digits=4, decimal_places=2)
    k2 = models.DecimalField(_("K-2 (max. floor area ratio)"), max_digits=5, decimal_places=2)
    k3 = models.DecimalField(_("K-3 (min. green share)"), max_digits=4, decimal_places=2)
    max_height_m = models.DecimalField(_("maximum height, m"), max_digits=6, decimal_places=1)
    allowed_uses = ArrayField(
        models.CharField(max_length=20, choices=LandUse.choices), default=list, blank=True
    )
    geom = models.MultiPolygonField(_("geometry"), srid=settings.SRID_STORAGE, spatial_index=False)

    objects = ZoneQuerySet.as_manager()

    class Meta:
        ordering = ["municipality", "code"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="zone_code_unique")
        ]
        indexes = [GistIndex(fields=["geom"], name="zone_geom_gist")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class ParcelQuerySet(models.QuerySet):
    def current(self):
        """Parcels in force today: not retired by a split, merge or boundary change."""
        return self.filter(valid_to__isnull=True)

    def covering(self, point):
        return self.filter(geom__intersects=point)

    def in_bbox(self, polygon):
        return self.filter(geom__bboverlaps=polygon).filter(geom__intersects=polygon)

    def in_municipality(self, municipality):
        return self.filter(municipality=municipality)

    def municipal_property(self):
        return self.filter(is_municipal_property=True)


class ParcelManager(models.Manager.from_queryset(ParcelQuerySet)):
    def get_queryset(self):
        # The tile copy of the geometry is read by tile SQL only (layers/tiles.py): loading it
        # with every parcel would parse a second geometry for nothing.
        return super().get_queryset().defer("geom_web")


# The tile copy of the geometry is PostgreSQL's to compute, not a fact of the cadastre.
@audit.track(exclude=["geom_web"])
class Parcel(models.Model):
    public_rows = True  # anyone reads these rows; writes stay in scope (core/db/rls.py)

    cadastral_code = models.CharField(
        _("cadastral code"), max_length=32, validators=[validate_cadastral_code]
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="parcels",
        verbose_name=_("municipality"),
        # parcel_municipality_idx (municipality, valid_to) serves lookups by municipality.
        db_index=False,
    )
    geom = models.MultiPolygonField(_("geometry"), srid=settings.SRID_STORAGE, spatial_index=False)
    area_m2 = models.FloatField(_("area, m²"), help_text=_("Computed from the geometry."))
    land_use = models.CharField(_("land use"), max_length=20, choices=LandUse.choices)
    address_ka = models.CharField(_("address (Georgian)"), max_length=300, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    zone = models.ForeignKey(
        Zone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parcels",
        verbose_name=_("zone"),
    )
    is_municipal_property = models.BooleanField(_("municipal property"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    derived_from = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="successors",
        verbose_name=_("derived from"),
        help_text=_("The parcels this one was split or merged from."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    # The geometry in the tile projection, kept by PostgreSQL: a vector tile clips it as it is,
    # with no transformation of every vertex on every request (layers/tiles.py).
    geom_web = models.GeneratedField(
        expression=Transform("geom", settings.SRID_TILES),
        output_field=models.MultiPolygonField(srid=settings.SRID_TILES, spatial_index=False),
        db_persist=True,
        verbose_name=_("geometry in the tile projection"),
    )

    objects = ParcelManager()

    class Meta:
        ordering = ["cadastral_code"]
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        constraints = [
            models.UniqueConstraint(
                fields=["cadastral_code"],
                condition=Q(valid_to__isnull=True),
                name="parcel_current_code_unique",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="parcel_validity_ordered",
            ),
        ]
        indexes = [
            GistIndex(fields=["geom"], name="parcel_geom_gist"),
            GistIndex(fields=["geom_web"], name="parcel_geom_web_gist"),
            models.Index(
                fields=["cadastral_code"],
                name="parcel_code_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["municipality", "valid_to"], name="parcel_municipality_idx"),
            # Address search (icontains compares UPPER(column)) uses trigram indexes on that
            # expression, made in migration 0002: Django 5.2 renders OpClass over a function
            # without the parentheses PostgreSQL needs.
        ]

    def __str__(self) -> str:
        return self.cadastral_code

    @property
    def address(self) -> str:
        if get_language() == "en":
            return self.address_en or self.address_ka
        return self.address_ka or self.address_en


# Which parcels a parcel was split or merged from: Django's own link table, tracked through a
# proxy (docs/audit.md).
@audit.track(model_name="ParcelLineageEvent")
class ParcelLineage(Parcel.derived_from.through):
    class Meta:
        proxy = True


class ParcelOwnerQuerySet(models.QuerySet):
    def of_parcels(self, parcels):
        return self.filter(parcel__in=parcels)

    def in_municipality(self, municipality):
        return self.filter(parcel__municipality=municipality)


# A personal number is not copied into the history (DESIGN: stored as a keyed hash, shown
# masked); that it changed is recorded all the same.
@audit.track(audit.changed("personal_number"), exclude=["personal_number"])
class ParcelOwner(models.Model):
    """A registered owner (or co-owner) of a parcel, as the public registry records them.

    Personal data: never on a public layer, tile, export or API. Only staff of the parcel's
    municipality see owners (parcels/rules.py, the scoped admin); the neighbour consultation of
    permits writes to them.
    """

    municipality_path = "parcel__municipality"

    parcel = models.ForeignKey(
        Parcel, on_delete=models.CASCADE, related_name="owners", verbose_name=_("parcel")
    )
    name = models.CharField(_("name"), max_length=200)
    personal_number = models.CharField(_("personal or company number"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parcel_ownerships",
        verbose_name=_("portal account"),
        help_text=_("Set when the owner has an account on the portal."),
    )
    share = models.CharField(_("share"), max_length=30, blank=True, help_text=_("e.g. 1/2"))

    objects = ParcelOwnerQuerySet.as_manager()

    class Meta:
        ordering = ["parcel", "name", "pk"]
        verbose_name = _("parcel owner")
        verbose_name_plural = _("parcel owners")

    def __str__(self) -> str:
        return f"{self.name} ({self.parcel})"

    @property
    def contact_email(self) -> str:
        """The owner's e-mail, else that of their portal account."""
        if self.email:
            return self.email
        return self.user.email if self.user_id and self.user.is_active else ""


class Street(BilingualNameMixin):
    public_rows = True  # anyone reads these rows; writes stay in scope (core/db/rls.py)

    class Kind(models.TextChoices):
        PRIMARY = "primary", _("Primary")
        SECONDARY = "secondary", _("Secondary")
        RESIDENTIAL = "residential", _("Residential")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="streets",
        verbose_name=_("municipality"),
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.RESIDENTIAL)
    geom = models.MultiLineStringField(
        _("geometry"), srid=settings.SRID_STORAGE, spatial_index=False
    )

    class Meta:
        ordering = ["municipality", "name_en"]
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        indexes = [GistIndex(fields=["geom"], name="street_geom_gist")]


class Building(models.Model):
    public_rows = True  # anyone reads these rows; writes stay in scope (core/db/rls.py)

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="buildings",
        verbose_name=_("municipality"),
    )
    floors = models.PositiveSmallIntegerField(_("floors"), default=1)
    height_m = models.FloatField(_("height, m"), null=True, blank=True)
    geom = models.MultiPolygonField(_("geometry"), srid=settings.SRID_STORAGE, spatial_index=False)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        indexes = [GistIndex(fields=["geom"], name="building_geom_gist")]

    def __str__(self) -> str:
        return f"{_('Building')} {self.pk}"


class Block(models.Model):
    """A cadastral block: the code prefix shared by the parcels inside it."""

    public_rows = True  # anyone reads these rows; writes stay in scope (core/db/rls.py)

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="blocks",
        verbose_name=_("municipality"),
    )
    code = models.CharField(_("code"), max_length=32)
    geom = models.MultiPolygonField(_("geometry"), srid=settings.SRID_STORAGE, spatial_index=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("cadastral block")
        verbose_name_plural = _("cadastral blocks")
        constraints = [models.UniqueConstraint(fields=["code"], name="block_code_unique")]
        indexes = [GistIndex(fields=["geom"], name="block_geom_gist")]

    def __str__(self) -> str:
        return self.code
