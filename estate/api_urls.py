"""The estate's REST API, under /api/v1/estate/ (docs/api.md)."""

app_name = "estate-api"

urlpatterns: list = []
