"""Admin of datasets, scoped to the municipalities of the signed-in officer; reading only:
uploads, versions and publishing go through the staff pages and the API, where files are checked."""

from django.contrib import admin

from core.admin_scoping import MunicipalityScopedAdmin
from datasets.models import Dataset, DatasetVersion


class VersionInline(admin.TabularInline):
    model = DatasetVersion
    fields = ("number", "mode", "source_name", "rows_read", "rows_stored", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dataset)
class DatasetAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "title_en", "municipality", "published", "visibility", "updated_at")
    list_filter = (("municipality", admin.RelatedOnlyFieldListFilter), "published", "visibility")
    search_fields = ("name", "title_ka", "title_en")
    readonly_fields = ("name", "municipality", "active_version", "published", "created_by")
    exclude = ("style",)
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False
