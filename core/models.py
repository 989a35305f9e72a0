"""Tenancy: municipalities, their districts, and the staff roles held in each."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import audit

# Geometry fields set spatial_index=False: each has a named GistIndex in its Meta instead of
# GeoDjango's unnamed one (STYLE.md 5), and two indexes would double the upkeep of every write.


class BilingualNameMixin(models.Model):
    name_ka = models.CharField(_("name (Georgian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_ka

    def __str__(self) -> str:
        return self.name


class Bilingual:
    """Text in the active language from a pair of fields `<stem>_ka` and `<stem>_en`, the
    other language's when the active one is empty (for fields where English is optional)."""

    def _in_language(self, stem: str) -> str:
        english = getattr(self, f"{stem}_en", "")
        georgian = getattr(self, f"{stem}_ka", "")
        if get_language() == "en":
            return english or georgian
        return georgian or english


class MunicipalityQuerySet(models.QuerySet):
    def for_user(self, user):
        """Municipalities in which the user holds a staff role (all of them for a superuser)."""
        if user.is_superuser:
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()


class Municipality(BilingualNameMixin):
    code = models.SlugField(_("code"), max_length=10, unique=True, help_text=_("e.g. BTM, RST"))
    ocha_code = models.CharField(_("OCHA admin code"), max_length=10, blank=True)
    boundary = models.MultiPolygonField(
        _("boundary"), srid=settings.SRID_STORAGE, spatial_index=False
    )
    center_lon = models.FloatField(_("map centre longitude"))
    center_lat = models.FloatField(_("map centre latitude"))
    default_zoom = models.FloatField(_("map zoom"), default=12.5)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        indexes = [GistIndex(fields=["boundary"], name="municipality_boundary_gist")]


class DistrictQuerySet(models.QuerySet):
    def in_municipality(self, municipality):
        return self.filter(municipality=municipality)


class District(BilingualNameMixin):
    public_rows = True  # anyone reads these rows; writes stay in scope (core/db/rls.py)

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="districts",
        verbose_name=_("municipality"),
    )
    code = models.SlugField(_("code"), max_length=20)
    boundary = models.MultiPolygonField(
        _("boundary"), srid=settings.SRID_STORAGE, spatial_index=False
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        ordering = ["municipality", "code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="district_code_unique")
        ]
        indexes = [GistIndex(fields=["boundary"], name="district_boundary_gist")]


class Role(models.TextChoices):
    PLANNER = "planner", _("Planner")
    GIS_OFFICER = "gis_officer", _("GIS officer")
    PROPERTY_OFFICER = "property_officer", _("Property officer")
    BUDGET_OFFICER = "budget_officer", _("Budget officer")
    PETITIONS_MODERATOR = "petitions_moderator", _("Petitions moderator")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    MUNICIPAL_ADMIN = "municipal_admin", _("Municipal administrator")


@audit.track()
class Membership(models.Model):
    """A staff member's role in one municipality; a person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.municipality.code}"


# ---------------------------------------------------------------------------------------------
# The history of tables that other apps own (docs/audit.md). Each is tracked through a proxy
# here, so that its triggers and its event table are migrations of this app.


@audit.track(audit.changed("password"), exclude=["password", "last_login"], model_name="UserEvent")
class TrackedUser(User):
    """People's accounts. The password hash is never copied, only the fact that it changed;
    a sign-in, which moves `last_login`, is no change of the account and writes nothing."""

    class Meta:
        proxy = True


@audit.track(model_name="EmailAddressEvent")
class TrackedEmailAddress(EmailAddress):
    """People's e-mail addresses and whether each is verified (allauth)."""

    class Meta:
        proxy = True


@audit.track(
    audit.changed("data"), exclude=["data", "last_used_at"], model_name="AuthenticatorEvent"
)
class TrackedAuthenticator(Authenticator):
    """Staff's second factors (allauth MFA): added and removed. Their secrets and recovery codes
    are never copied, only the fact that they changed (new codes, a code used); a sign-in with
    one moves `last_used_at`, which is not copied."""

    class Meta:
        proxy = True


# Django's groups and permissions grant access beside the roles of `Membership`.
@audit.track(model_name="GroupEvent")
class TrackedGroup(Group):
    class Meta:
        proxy = True


@audit.track(model_name="UserGroupEvent")
class TrackedUserGroup(User.groups.through):
    class Meta:
        proxy = True


@audit.track(model_name="UserPermissionEvent")
class TrackedUserPermission(User.user_permissions.through):
    class Meta:
        proxy = True


@audit.track(model_name="GroupPermissionEvent")
class TrackedGroupPermission(Group.permissions.through):
    class Meta:
        proxy = True
