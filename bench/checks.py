"""Correctness checks run alongside the load: a failing check makes the run exit non-zero.

- `same_tile_ids`: a few z16 tiles from ours and from tipg hold the same parcels. Our tiles carry
  the parcel's primary key as the MVT feature id; tipg puts the table's columns in the
  properties, so the key is the `id` property. The two servers clip with different buffers, so
  each side's parcels that reach into the tile proper must all be in the other side's tile.
- `paging_complete`: following rel=next over our OGC API items for one bbox returns every id
  once, as many as numberMatched, and the same set as a direct query of the table.

Tiles are decoded with mapbox-vector-tile, installed in tipg's venv (no new dependency for the
portal), by a small script run there.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request

from bench import STATE, db_conninfo

DECODE = r"""
import json, sys
import mapbox_vector_tile
from shapely.geometry import box, shape

out = []
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    layers = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True}) if data else {}
    all_ids, core_ids = set(), set()
    for name, layer in layers.items():
        extent = layer.get("extent", 4096)
        inner = box(2, 2, extent - 2, extent - 2)
        for f in layer["features"]:
            props = f.get("properties") or {}
            if props.get("valid_to"):
                continue  # a retired parcel: tipg serves the whole table, we the current ones
            fid = props.get("id", f.get("id"))
            all_ids.add(fid)
            try:
                if shape(f["geometry"]).intersects(inner):
                    core_ids.add(fid)
            except Exception:
                core_ids.add(fid)
    out.append({"all": sorted(all_ids), "core": sorted(core_ids)})
print(json.dumps(out))
"""


def _get(url: str, timeout: float = 60) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 (loopback)
        return r.read()


def _decode(paths: list[str]) -> list[dict]:
    python = STATE / "venv-tipg" / "bin" / "python"
    out = subprocess.run(  # noqa: S603
        [str(python), "-c", DECODE, *paths], capture_output=True, text=True, timeout=300
    )
    if out.returncode != 0:
        raise RuntimeError(f"decoding tiles failed: {out.stderr.strip()[-500:]}")
    return json.loads(out.stdout)


def same_tile_ids(ours, tipg, tiles: list[list[int]], *, zoom: int = 16) -> dict:
    """Compare the parcel ids of the same tiles from `ours` and `tipg` (two `Server`s)."""
    folder = STATE / "checks"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for x, y in tiles:
        for server in (ours, tipg):
            path = folder / f"{server.name}-{zoom}-{x}-{y}.mvt"
            path.write_bytes(_get(server.base_url + server.tile(zoom, x, y)))
            files.append(str(path))
    decoded = _decode(files)
    details = []
    ok = True
    for i, (x, y) in enumerate(tiles):
        mine, theirs = decoded[2 * i], decoded[2 * i + 1]
        missing_there = sorted(set(mine["core"]) - set(theirs["all"]))
        missing_here = sorted(set(theirs["core"]) - set(mine["all"]))
        same = not missing_there and not missing_here
        ok = ok and same
        details.append(
            {
                "tile": f"{zoom}/{x}/{y}",
                "ours": len(mine["all"]),
                "tipg": len(theirs["all"]),
                "only_ours": missing_there[:10],
                "only_tipg": missing_here[:10],
                "same": same,
            }
        )
    empty = all(d["ours"] == 0 for d in details)
    if empty:
        ok = False
    summary = ", ".join(f"{d['tile']}: {d['ours']} vs {d['tipg']}" for d in details)
    return {
        "name": "same tile ids (ours vs tipg)",
        "ok": ok,
        "detail": ("all tiles empty: nothing compared; " if empty else "") + summary,
        "tiles": details,
    }


def _db_ids(db: str, bbox, key: str) -> list:
    import psycopg

    column = "id" if key == "id" else "cadastral_code"
    with psycopg.connect(**db_conninfo(db)) as conn:
        rows = conn.execute(
            f"SELECT {column} FROM parcels_parcel WHERE valid_to IS NULL AND ST_Intersects("  # noqa: S608
            "geom, ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, 4326), 32638))",
            list(bbox),
        ).fetchall()
    return [r[0] for r in rows]


def paging_complete(ours, db: str, bbox, *, limit: int = 100, max_pages: int = 500) -> dict:
    """Follow rel=next from the first page of our items in `bbox`."""
    url = ours.base_url + ours.items(bbox, limit)
    ids, matched, pages = [], None, 0
    while url and pages < max_pages:
        page = json.loads(_get(url))
        pages += 1
        if matched is None:
            matched = page.get("numberMatched")
        ids.extend(f["id"] for f in page["features"])
        url = next((link["href"] for link in page.get("links", []) if link["rel"] == "next"), None)
    duplicates = len(ids) - len(set(ids))
    key = "id" if ids and isinstance(ids[0], int) else "code"
    direct = set(_db_ids(db, bbox, key))
    same_set = set(ids) == direct
    ok = duplicates == 0 and matched == len(ids) and same_set and not url
    detail = (
        f"{pages} pages of {limit}: {len(ids)} ids, {duplicates} repeated, numberMatched "
        f"{matched}, direct query {len(direct)}"
    )
    if not same_set:
        detail += f"; {len(set(ids) - direct)} only in the pages, {len(direct - set(ids))} only in the table"
    if url:
        detail += f"; stopped after {max_pages} pages"
    return {"name": "paging returns every id once", "ok": ok, "detail": detail}
