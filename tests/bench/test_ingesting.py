"""bench.ingesting writes the upload it measures as GeoJSON that the ingest job reads whole, and
the report states the figures against the 300 MB target."""

import pyogrio

from bench import ingesting, report


def test_the_generated_geojson_holds_every_point_inside_the_box(tmp_path):
    box = (41.62, 41.64, 41.66, 41.67)
    path = ingesting.write_geojson(tmp_path / "points.geojson", 1000, box)
    info = pyogrio.read_info(path, force_feature_count=True)
    assert info["features"] == 1000
    assert list(info["fields"]) == ["name", "capacity", "area", "opened"]
    minx, miny, maxx, maxy = info["total_bounds"]
    assert box[0] < minx and box[1] < miny and maxx < box[2] and maxy < box[3]


def test_an_existing_file_is_kept(tmp_path):
    path = tmp_path / "points.geojson"
    path.write_text("kept")
    assert ingesting.write_geojson(path, 10, (0, 0, 1, 1)).read_text() == "kept"


def test_the_report_gives_the_peak_against_the_target():
    results = {
        "date": "2026-12-07",
        "ingest": {
            "features": 500_000,
            "stored": 500_000,
            "file_mb": 70.0,
            "job_seconds": 100.0,
            "features_per_s": 5000,
            "peak_mb": 250.0,
            "idle_mb": 210.0,
            "growth_mb": 40.0,
            "target_mb": 300,
        },
    }
    (target,) = [t for t in report.targets(results) if t["target"].startswith("ingest")]
    assert target["met"] is True and target["value"] == 250.0
    results["targets"] = report.targets(results)
    assert "worker peak 250.0 MB (target 300 MB)" in report.markdown(results)
