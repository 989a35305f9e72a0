"""manage.py import_parcels: GeoPackage, zipped Shapefile and GeoJSON into the cadastre.

Test files are written with pyogrio's numpy writer (geopandas is not a dependency) or, for
GeoJSON with deliberately broken rows, by hand. Coordinates are EPSG:32638 unless stated.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pyogrio.raw
import pytest
import shapely
from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pyproj import Transformer

from core.geometry import GeometryError, check_many, parse_geometry
from parcels.models import LandUse, Parcel, Zone
from tests.conftest import BATUMI_ORIGIN, RUSTAVI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory

# The import command works as the owner of the tables (core/db/owner.py).
pytestmark = pytest.mark.usefixtures("table_owner")

X0, Y0 = BATUMI_ORIGIN
TO_LONLAT = Transformer.from_crs(32638, 4326, always_xy=True)


def box(i: int, *, origin=BATUMI_ORIGIN, w: float = 20.0, h: float = 30.0) -> shapely.Polygon:
    """The i-th 20 x 30 m parcel (600 m²) of a grid inside a municipality, EPSG:32638."""
    x, y = origin[0] + 100 + (i % 50) * 40, origin[1] + 100 + (i // 50) * 50
    return shapely.box(x, y, x + w, y + h)


def code(i: int) -> str:
    return f"05.24.11.{i:03d}"


def write_layer(path, geoms, fields: dict, *, layer="parcels", crs="EPSG:32638", **kwargs):
    driver = {".gpkg": "GPKG", ".shp": "ESRI Shapefile"}[path.suffix]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
        pyogrio.raw.write(
            path,
            shapely.to_wkb(np.array(geoms, dtype=object)),
            [np.array(v, dtype=object) for v in fields.values()],
            list(fields),
            layer=layer,
            driver=driver,
            geometry_type=kwargs.pop("geometry_type", "Polygon"),
            crs=crs,
            **kwargs,
        )
    return path


def good_gpkg(tmp_path, n=3, *, name="parcels.gpkg", start=0, **kwargs):
    return write_layer(
        tmp_path / name,
        [box(i) for i in range(start, start + n)],
        {
            "cadastral_code": [code(i) for i in range(start, start + n)],
            "land_use": ["residential"] * n,
            "address_ka": [f"ჭავჭავაძის ქ. {i}" for i in range(start, start + n)],
            "address_en": [f"{i} Chavchavadze St" for i in range(start, start + n)],
        },
        **kwargs,
    )


def feature(geometry, cad_code, land_use="residential") -> dict:
    return {
        "type": "Feature",
        "properties": {"code": cad_code, "land_use": land_use},
        "geometry": geometry,
    }


def lonlat_ring(polygon: shapely.Polygon) -> list[list[float]]:
    x, y = TO_LONLAT.transform(*np.array(polygon.exterior.coords).T)
    return [[a, b] for a, b in zip(x, y, strict=True)]


def write_geojson(path, features: list[dict]) -> str:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return str(path)


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(
        "import_parcels", *[str(a) for a in args], stdout=out, stderr=io.StringIO(), **options
    )
    return out.getvalue()


def test_geopackage_imports_every_row_with_its_area_code_and_zone(batumi, tmp_path):
    zone = Zone.objects.create(
        municipality=batumi,
        code="R-1",
        name_ka="საცხოვრებელი",
        name_en="Residential",
        k1=Decimal("0.5"),
        k2=Decimal("1.5"),
        k3=Decimal("0.3"),
        max_height_m=Decimal("12"),
        geom=multi(square(X0, Y0, 165)),  # holds the first two parcels, not the third
    )
    path = write_layer(
        tmp_path / "parcels.gpkg",
        [box(0), box(1), box(2)],
        {
            "cadastral_code": [code(0), code(1), "05.24.11.002.01"],
            "land_use": ["residential", "Commercial", "GREEN"],
            "address_ka": ["ჭავჭავაძის ქ. 1", "", None],
            "address_en": ["1 Chavchavadze St", "", None],
        },
    )

    out = run(path)

    assert "read 3, imported 3, rejected 0" in out
    parcels = {p.cadastral_code: p for p in Parcel.objects.all()}
    assert sorted(parcels) == [code(0), code(1), "05.24.11.002.01"]
    first = parcels[code(0)]
    assert first.area_m2 == pytest.approx(600)
    assert parcels["05.24.11.002.01"].area_m2 == pytest.approx(600)
    assert first.geom.geom_type == "MultiPolygon" and first.geom.srid == settings.SRID_STORAGE
    assert first.geom.equals(Polygon.from_bbox((X0 + 100, Y0 + 100, X0 + 120, Y0 + 130)))
    assert first.municipality == batumi
    assert first.valid_from == timezone.localdate() and first.valid_to is None
    assert first.address_ka == "ჭავჭავაძის ქ. 1" and first.source == "parcels.gpkg"
    assert [p.land_use for p in parcels.values()] == ["residential", "commercial", "green"]
    assert [p.zone for p in parcels.values()] == [zone, zone, None]


def test_multipolygons_and_z_values_are_accepted_and_stored_as_2d(batumi, tmp_path):
    two_parts = shapely.MultiPolygon([box(0), box(1)])
    with_z = shapely.force_3d(box(2), 7.5)
    path = write_layer(
        tmp_path / "mixed.gpkg",
        [two_parts, with_z],
        {"code": [code(0), code(2)], "land_use": ["industrial"] * 2},
        geometry_type="Unknown",
    )

    run(path)

    parcels = Parcel.objects.order_by("cadastral_code")
    assert [len(p.geom) for p in parcels] == [2, 1]
    assert [p.area_m2 for p in parcels] == pytest.approx([1200, 600])
    assert not any(p.geom.hasz for p in parcels)


def test_area_of_a_parcel_with_a_hole_leaves_the_hole_out(batumi, tmp_path):
    outer = box(0, w=40, h=40)
    x, y = outer.bounds[:2]
    holed = shapely.Polygon(
        outer.exterior.coords, [shapely.box(x + 10, y + 10, x + 20, y + 20).exterior.coords]
    )
    path = write_layer(
        tmp_path / "holed.gpkg", [holed], {"cad_code": [code(0)], "landuse": ["mixed"]}
    )

    run(path)

    assert Parcel.objects.get().area_m2 == pytest.approx(1600 - 100)


def test_geopackage_with_two_layers_needs_layer(batumi, tmp_path):
    path = good_gpkg(tmp_path, 2, layer="old_survey")
    good_gpkg(tmp_path, 3, start=10, layer="survey_2025")

    with pytest.raises(CommandError, match="2 layers with geometries: old_survey, survey_2025"):
        run(path)
    with pytest.raises(CommandError, match="no layer 'nope'"):
        run(path, layer="nope")
    out = run(path, layer="survey_2025")

    assert "layer survey_2025" in out and "imported 3" in out
    assert list(Parcel.objects.values_list("cadastral_code", flat=True)) == [
        code(10),
        code(11),
        code(12),
    ]


def test_zipped_shapefile_in_4326_is_reprojected(batumi, tmp_path):
    polygons = [box(i) for i in range(3)]
    lonlat = [shapely.Polygon(lonlat_ring(p)) for p in polygons]
    shp = write_layer(
        tmp_path / "cadastre.shp",
        lonlat,
        {"CAD_CODE": [code(i) for i in range(3)], "LAND_USE": ["residential"] * 3},
        crs="EPSG:4326",
    )
    archive = tmp_path / "cadastre.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("cadastre.*"):
            if part != archive:
                zf.write(part, f"export/{part.name}")

    out = run(archive)

    assert "cadastre.zip, layer cadastre, EPSG:4326" in out and "imported 3" in out
    assert shp.exists()
    for polygon, parcel in zip(polygons, Parcel.objects.order_by("cadastral_code"), strict=True):
        assert parcel.geom.srid == 32638
        assert parcel.area_m2 == pytest.approx(600, rel=1e-6)
        stored = shapely.from_wkb(bytes(parcel.geom.wkb))
        assert shapely.hausdorff_distance(stored, polygon) < 0.01  # metres


def test_geojson_with_bad_rows_imports_the_good_ones_and_reports_each_bad_one(batumi, tmp_path):
    good = {"type": "Polygon", "coordinates": [lonlat_ring(box(0))]}
    (x0, y0), (x1, y1) = lonlat_ring(box(1))[0], lonlat_ring(box(1))[2]
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]],
    }
    outside = {
        "type": "Polygon",
        "coordinates": [[[30, 41], [30.001, 41], [30.001, 41.001], [30, 41]]],
    }
    path = write_geojson(
        tmp_path / "parcels.geojson",
        [
            feature(good, code(0)),  # row 1: imported
            feature(bow_tie, code(1)),  # row 2
            feature(None, code(2)),  # row 3
            feature({"type": "Point", "coordinates": [41.64, 41.64]}, code(3)),  # row 4
            feature({"type": "Polygon", "coordinates": [lonlat_ring(box(4))]}, "5-24-11"),  # 5
            feature({"type": "Polygon", "coordinates": [lonlat_ring(box(5))]}, code(5)),  # 6
            feature({"type": "Polygon", "coordinates": [lonlat_ring(box(6))]}, code(5)),  # 7
            feature(outside, code(7)),  # row 8
            feature({"type": "Polygon", "coordinates": [lonlat_ring(box(8))]}, code(8), "farm"),
            feature({"type": "Polygon", "coordinates": [lonlat_ring(box(9))]}, code(9)),  # 10
        ],
    )
    report = tmp_path / "rejected.csv"

    out = run(path, report=report)

    assert "read 10, imported 2, rejected 8" in out
    assert sorted(Parcel.objects.values_list("cadastral_code", flat=True)) == [code(0), code(9)]
    with report.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    reasons = {int(r["row"]): r["reason"] for r in rows}
    assert [r["code"] for r in rows] == [code(i) for i in (1, 2, 3)] + ["5-24-11"] + [
        code(5),
        code(5),
        code(7),
        code(8),
    ]
    assert reasons[2].startswith("The geometry is not valid: self-intersection at (41.")
    assert reasons[3] == "The geometry is empty."
    assert reasons[4] == "A Point was sent; expected MultiPolygon or Polygon."
    assert "5-24-11 is not a cadastral code" in reasons[5]
    assert (
        reasons[6]
        == reasons[7]
        == (
            f"The cadastral code {code(5)} is on more than one row of the file (rows 6, 7); "
            "none of them is imported."
        )
    )
    assert reasons[8] == (
        "The coordinate (30 41) lies outside Georgia (longitude 30.0000, latitude 41.0000 in "
        "EPSG:4326)."
    )
    assert reasons[9] == (
        "The land use 'farm' is not one of residential, commercial, mixed, industrial, public, "
        "green, agricultural, transport."
    )
    for row, reason in reasons.items():
        assert f"  row {row} [" in out and reason in out


def test_unknown_land_use_takes_the_default_when_one_is_given(batumi, tmp_path):
    path = write_layer(
        tmp_path / "uses.gpkg",
        [box(0), box(1)],
        {"code": [code(0), code(1)], "land_use": ["farm", None]},
    )

    out = run(path, default_land_use="agricultural")

    assert "imported 2, rejected 0" in out
    assert set(Parcel.objects.values_list("land_use", flat=True)) == {LandUse.AGRICULTURAL}


def test_file_without_land_use_field_needs_a_default(batumi, tmp_path):
    path = write_layer(tmp_path / "codes.gpkg", [box(0)], {"code": [code(0)]})

    with pytest.raises(CommandError, match="no land-use field"):
        run(path)
    run(path, default_land_use="public")

    assert Parcel.objects.get().land_use == LandUse.PUBLIC


def test_named_fields_are_used(batumi, tmp_path):
    path = write_layer(
        tmp_path / "named.gpkg",
        [box(0)],
        {"kadastri": [code(0)], "daniSnuleba": ["mixed"], "misamarti": ["რუსთაველის 5"]},
    )

    with pytest.raises(CommandError, match="no cadastral code field"):
        run(path)
    with pytest.raises(CommandError, match="has no field 'missing'; its fields are kadastri"):
        run(path, code_field="missing")
    run(path, code_field="kadastri", land_use_field="DANISNULEBA", address_ka_field="misamarti")

    parcel = Parcel.objects.get()
    assert (parcel.cadastral_code, parcel.land_use, parcel.address_ka) == (
        code(0),
        "mixed",
        "რუსთაველის 5",
    )


def test_municipality_is_the_one_holding_the_point_on_surface(batumi, rustavi, tmp_path):
    path = write_layer(
        tmp_path / "two-cities.gpkg",
        [box(0), box(0, origin=RUSTAVI_ORIGIN), box(0, origin=(300000, 4620000))],
        {"code": [code(0), code(1), code(2)], "land_use": ["residential"] * 3},
    )

    out = run(path)

    assert "imported 2, rejected 1" in out
    assert "row 3 [05.24.11.002]: The parcel lies in no municipality" in out
    assert dict(Parcel.objects.values_list("cadastral_code", "municipality__code")) == {
        code(0): "BTM",
        code(1): "RST",
    }


def test_named_municipality_takes_every_parcel(batumi, rustavi, tmp_path):
    path = good_gpkg(tmp_path, 2)

    run(path, municipality="RST")

    assert set(Parcel.objects.values_list("municipality__code", flat=True)) == {"RST"}
    with pytest.raises(
        CommandError, match="No municipality has the code 'XYZ'; the codes are BTM, RST"
    ):
        run(path, municipality="XYZ")


def test_file_without_crs_needs_srid(batumi, tmp_path):
    path = good_gpkg(tmp_path, 2, crs=None)

    with pytest.raises(CommandError, match="does not say which coordinate system.*--srid"):
        run(path)
    assert not Parcel.objects.exists()
    out = run(path, srid=32638)

    assert "EPSG:32638" in out and Parcel.objects.count() == 2


def test_srid_that_contradicts_the_file_is_refused(batumi, tmp_path):
    with pytest.raises(CommandError, match="declares EPSG:32638, but --srid 4326 was given"):
        run(good_gpkg(tmp_path, 1), srid=4326)


def test_file_whose_crs_is_wrong_gets_a_clear_error(batumi, tmp_path):
    # UTM metres labelled as longitude and latitude.
    path = good_gpkg(tmp_path, 3, crs="EPSG:4326")

    with pytest.raises(
        CommandError, match="No geometry among the first 3 lies in Georgia when read in EPSG:4326"
    ) as error:
        run(path)

    assert "is out of range for EPSG:4326" in str(error.value)
    assert not Parcel.objects.exists()


def test_file_with_latitude_first_gets_the_swapped_message(batumi, tmp_path):
    # Batumi lies near 41.6 E 41.6 N, where swapping changes little; Rustavi lies near 45 E.
    swapped = [[lat, lon] for lon, lat in lonlat_ring(box(0, origin=RUSTAVI_ORIGIN))]
    path = write_geojson(
        tmp_path / "swapped.geojson",
        [feature({"type": "Polygon", "coordinates": [swapped]}, code(0))],
    )

    with pytest.raises(CommandError, match="The coordinates look swapped"):
        run(path)


def test_any_crs_pyproj_knows_is_accepted(batumi, tmp_path):
    # EPSG:32637 (UTM 37N) and a geographic CRS that is not WGS 84 (EPSG:4258, ETRS89).
    to37 = Transformer.from_crs(32638, 32637, always_xy=True)
    polygon = box(0)
    in37 = shapely.transform(polygon, lambda c: np.column_stack(to37.transform(c[:, 0], c[:, 1])))
    path37 = write_layer(
        tmp_path / "utm37.gpkg",
        [in37],
        {"code": [code(0)], "land_use": ["green"]},
        crs="EPSG:32637",
    )
    path4258 = write_layer(
        tmp_path / "etrs.gpkg",
        [shapely.Polygon(lonlat_ring(box(1)))],
        {"code": [code(1)], "land_use": ["green"]},
        crs="EPSG:4258",
    )

    run(path37)
    run(path4258)

    areas = dict(Parcel.objects.values_list("cadastral_code", "area_m2"))
    assert areas[code(0)] == pytest.approx(600, rel=1e-6)
    assert areas[code(1)] == pytest.approx(600, rel=1e-3)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.gpkg", None, "does not exist"),
        ("parcels.csv", b"code\n", "import a GeoPackage, a zipped Shapefile or GeoJSON"),
        ("not-a-zip.zip", b"PK but not really", "is not a zip archive"),
        ("fake.gpkg", b"<VRTDataset></VRTDataset>", "is not a GeoPackage"),
        ("fake.geojson", b"<OGRVRTDataSource/>", "is not GeoJSON"),
        ("broken.geojson", b'{"type": "FeatureCollection", "features": [', "cannot be read"),
        ("broken.gpkg", b"SQLite format 3\x00" + b"\x00" * 200, "cannot be read"),
    ],
)
@pytest.mark.filterwarnings("ignore:GPKG. bad application_id:RuntimeWarning")
def test_unusable_file_gets_a_clear_error(batumi, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        run(path)


def test_plain_shapefile_is_read_with_the_parts_beside_it(batumi, tmp_path):
    path = write_layer(
        tmp_path / "plain.shp", [box(0)], {"code": [code(0)], "land_use": ["transport"]}
    )

    run(path)

    assert Parcel.objects.get().land_use == LandUse.TRANSPORT


def test_zip_without_a_shapefile_gets_a_clear_error(batumi, tmp_path):
    archive = tmp_path / "parcels.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "no shapefile here")

    with pytest.raises(
        CommandError, match=r"holds no Shapefile \(no .shp file\); it holds readme.txt"
    ):
        run(archive)


def test_zip_with_a_shapefile_missing_its_dbf_gets_a_clear_error(batumi, tmp_path):
    write_layer(tmp_path / "p.shp", [box(0)], {"code": [code(0)], "land_use": ["green"]})
    archive = tmp_path / "p.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for suffix in (".shp", ".shx", ".prj"):
            zf.write(tmp_path / f"p{suffix}", f"p{suffix}")

    with pytest.raises(CommandError, match="The Shapefile 'p' in p.zip has no .dbf part"):
        run(archive)


def test_zip_with_two_shapefiles_needs_layer(batumi, tmp_path):
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for stem, start in (("a", 0), ("b", 5)):
            write_layer(
                tmp_path / f"{stem}.shp",
                [box(start)],
                {"code": [code(start)], "land_use": ["green"]},
            )
            for part in tmp_path.glob(f"{stem}.*"):
                zf.write(part, part.name)

    with pytest.raises(CommandError, match="holds 2 Shapefiles: a, b. Choose one with --layer"):
        run(archive)
    run(archive, layer="b")

    assert Parcel.objects.get().cadastral_code == code(5)


def test_dry_run_writes_nothing(batumi, tmp_path):
    existing = ParcelFactory(municipality=batumi, cadastral_code=code(0))
    path = good_gpkg(tmp_path, 3)

    out = run(path, dry_run=True, replace=True)

    assert "read 3, would import 3 (replacing 1 current parcels), rejected 0" in out
    assert "Dry run: nothing was written." in out
    assert list(Parcel.objects.all()) == [existing]
    existing.refresh_from_db()
    assert existing.valid_to is None


def test_existing_code_is_rejected_without_replace(batumi, tmp_path):
    ParcelFactory(municipality=batumi, cadastral_code=code(1))

    out = run(good_gpkg(tmp_path, 3))

    assert "imported 2, rejected 1" in out
    assert f"row 2 [{code(1)}]: A current parcel with the code {code(1)} already exists" in out
    assert Parcel.objects.filter(cadastral_code=code(1)).count() == 1


def test_replace_keeps_history(batumi, tmp_path):
    old = ParcelFactory(municipality=batumi, cadastral_code=code(1), valid_from=date(2020, 5, 1))
    today = timezone.localdate()

    out = run(good_gpkg(tmp_path, 3), replace=True)

    assert "imported 3 (replacing 1 current parcels), rejected 0" in out
    old.refresh_from_db()
    assert old.valid_to == today
    new = Parcel.objects.current().get(cadastral_code=code(1))
    assert new.pk != old.pk and new.valid_from == today
    assert list(new.derived_from.all()) == [old]
    assert list(old.successors.all()) == [new]
    assert Parcel.objects.filter(cadastral_code=code(1)).count() == 2


def test_replace_refuses_a_start_before_the_current_parcel(batumi, tmp_path):
    ParcelFactory(municipality=batumi, cadastral_code=code(0), valid_from=date(2025, 6, 1))

    out = run(good_gpkg(tmp_path, 1), replace=True, valid_from=date(2025, 1, 1))

    assert "is valid from 2025-06-01, after 2025-01-01" in out
    assert Parcel.objects.count() == 1


def test_query_count_does_not_grow_with_the_rows(batumi, tmp_path, django_assert_num_queries):
    ParcelFactory(municipality=batumi, cadastral_code=code(0))
    ParcelFactory(municipality=batumi, cadastral_code=code(100))
    few = good_gpkg(tmp_path, 5, name="few.gpkg")
    many = good_gpkg(tmp_path, 200, name="many.gpkg", start=100)

    with CaptureQueriesContext(connection) as few_queries:
        run(few, replace=True)
    with CaptureQueriesContext(connection) as many_queries:
        run(many, replace=True)

    assert Parcel.objects.count() == 207
    assert len(many_queries) == len(few_queries)
    # Municipal boundaries and zones are read once; then each batch of 60 costs a savepoint,
    # one read of the current parcels with its codes, one draw of ids, one COPY and the release.
    with django_assert_num_queries(2 + 4 * 5):
        run(good_gpkg(tmp_path, 240, name="more.gpkg", start=400), batch_size=60)


def test_a_failing_batch_leaves_the_batches_before_it(batumi, tmp_path):
    with connection.cursor() as cursor:  # a refusal only the database knows of
        cursor.execute(
            "ALTER TABLE parcels_parcel ADD CONSTRAINT test_refuses_one "
            f"CHECK (cadastral_code <> '{code(7)}')"
        )
    report = tmp_path / "report.csv"

    with pytest.raises(
        CommandError, match=r"Batch 2 \(rows 6–10\) was rolled back: .*test_refuses_one"
    ):
        run(good_gpkg(tmp_path, 12), batch_size=5, report=report)

    assert sorted(Parcel.objects.values_list("cadastral_code", flat=True)) == [
        code(i) for i in range(5)
    ]
    assert report.read_text().splitlines() == ["row,code,reason"]


def test_report_lists_every_rejected_row_and_stdout_the_first_50(batumi, tmp_path):
    n = 60
    path = write_layer(
        tmp_path / "bad.gpkg",
        [box(i) for i in range(n)],
        {"code": ["not a code"] * n, "land_use": ["residential"] * n},
    )
    report = tmp_path / "report.csv"

    out = run(path, report=report)

    assert "rejected 60" in out and f"and 10 more rejected rows; all are in {report}" in out
    assert out.count("is not a cadastral code") == 50
    assert len(report.read_text(encoding="utf-8").splitlines()) == 61


def test_check_many_says_what_parse_geometry_says():
    cases = {
        4326: [
            "POLYGON ((41.6 41.6, 41.61 41.6, 41.61 41.61, 41.6 41.61, 41.6 41.6))",
            "POLYGON ((41.6 41.6, 41.61 41.61, 41.61 41.6, 41.6 41.61, 41.6 41.6))",
            "POLYGON ((41.6 41.6, 41.61 NaN, 41.61 41.61, 41.6 41.61, 41.6 41.6))",
            "POLYGON ((41.7 44.8, 41.71 44.8, 41.71 44.81, 41.7 44.8))",
            "POLYGON ((200 41.6, 201 41.6, 201 41.61, 200 41.6))",
            "POLYGON ((30 41.6, 30.1 41.6, 30.1 41.7, 30 41.6))",
            "POLYGON Z ((41.6 41.6 1, 41.61 41.6 1, 41.61 41.61 1, 41.6 41.6 1))",
            "MULTIPOLYGON (((41.6 41.6, 41.61 41.6, 41.61 41.61, 41.6 41.6)))",
            "POINT (41.6 41.6)",
            "LINESTRING (41.6 41.6, 41.7 41.7)",
            "POLYGON EMPTY",
        ],
        32638: [
            "POLYGON ((218100 4613100, 218120 4613100, 218120 4613130, 218100 4613100))",
            "POLYGON ((18100 4613100, 218120 4613100, 218120 4613130, 18100 4613100))",
        ],
        3857: ["POLYGON ((4635000 5107000, 4635100 5107000, 4635100 5107100, 4635000 5107000))"],
    }
    many_vertices = shapely.Polygon(shapely.Point(41.6, 41.6).buffer(0.001, 3000).exterior)
    for srid, texts in cases.items():
        with np.errstate(invalid="ignore"):
            geoms = [shapely.from_wkt(t) for t in texts] + ([many_vertices] if srid == 4326 else [])
        for allowed in (None, {"Polygon", "MultiPolygon"}, {"MultiPolygon"}):
            got = check_many(geoms, srid, allowed_types=allowed)
            for geom, error in zip(geoms, got, strict=True):
                try:
                    with np.errstate(invalid="ignore"):
                        parse_geometry(shapely.to_wkb(geom), srid=srid, allowed_types=allowed)
                    expected = None
                except GeometryError as exc:
                    expected = (exc.code, exc.message)
                assert (error and (error.code, error.message)) == expected, (srid, geom.wkt[:60])
    assert [e.code for e in check_many([None], 4326)] == ["empty"]


def test_parcel_factory_computes_the_area_from_any_srid(batumi):
    lonlat = ParcelFactory(
        municipality=batumi,
        geom=parse_geometry(
            {"type": "Polygon", "coordinates": [lonlat_ring(box(3))]}, target_srid=4326
        ),
    )
    default = ParcelFactory()

    assert lonlat.geom.srid == 32638 and lonlat.area_m2 == pytest.approx(600, rel=1e-6)
    assert default.municipality == batumi and default.area_m2 == pytest.approx(400)
    assert ParcelFactory.build(valid_from=timezone.localdate() - timedelta(days=1)).area_m2 == 400
