from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from gisportal import views
from layers.ogcapi import views as ogcapi_views

admin.site.site_header = "gisportal"
admin.site.site_title = "gisportal"
# Staff sign in through allauth, where throttling and MFA apply.
admin.site.login = secure_admin_login(admin.site.login)

# Django's own errors: JSON in the API's error shape under /api/, pages elsewhere.
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.not_found"
handler500 = "core.errors.server_error"

urlpatterns = [
    path("", views.root_redirect, name="root"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("layers.urls")),
    path("api/v1/", include("parcels.api_urls")),
    path("api/v1/layers/", include("layers.export_urls")),
    path("api/v1/datasets/", include("datasets.api_urls")),
    path("api/v1/cases/", include("cases.api_urls")),
    path("api/v1/permits/", include("permits.api_urls")),
    path("api/v1/estate/", include("estate.api_urls")),
    path("api/v1/budgeting/", include("budgeting.api_urls")),
    path("api/v1/comments/", include("engagement.api_urls")),
    path("ogcapi/", include("layers.ogcapi.urls")),
    # QGIS asks for the landing page without the slash and does not follow a redirect.
    path("ogcapi", ogcapi_views.landing, name="ogcapi-landing-bare"),
    path("", include("layers.wfs_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/v1/docs/",
        # drf-spectacular's page with the CSP nonce on its inline script and style.
        SpectacularSwaggerView.as_view(
            url_name="schema", template_name="gisportal/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", RedirectView.as_view(url="/static/core/favicon.svg")),
]

urlpatterns += i18n_patterns(
    path("", include("gisportal.portal_urls")),
    path("parcels/", include("parcels.urls")),
    path("layers/", include("layers.page_urls")),
    path("accounts/", include("allauth.urls")),
    path("datasets/", include("datasets.urls")),
    path("cases/", include("cases.urls")),
    path("permits/", include("permits.urls")),
    path("estate/", include("estate.urls")),
    path("budgeting/", include("budgeting.urls")),
    path("", include("engagement.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)
