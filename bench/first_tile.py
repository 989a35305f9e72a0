"""The first parcel tile drawn: headless Chromium opens the portal's map at the densest area.

Each run starts a new browser context (empty cache, no cookies) and opens
`<base_url>/#16/<lat>/<lon>` (the map keeps its view in the URL hash, as MapLibre's `hash`
option writes it). A script added before the page's own catches the map object when map.js
publishes it (`window.gisportalMap`) and notes `performance.now()` — milliseconds since the
navigation started — at the first render after a tile of the parcels source has loaded in which
parcels are on the screen (`queryRenderedFeatures` over the parcels layers finds some).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ZOOM = 16
TIMEOUT_MS = 30_000

_HOOK = """
(() => {
  window.__benchFirstParcels = null;
  window.__benchParcelTileLoaded = null;
  window.__benchCheck = undefined;
  const hook = (map) => {
    const source = "%(source)s";
    map.on("sourcedata", (e) => {
      if (e.sourceId === source && e.tile && window.__benchParcelTileLoaded === null) {
        window.__benchParcelTileLoaded = performance.now();
      }
    });
    const check = () => {
      if (window.__benchFirstParcels !== null) return true;
      if (window.__benchParcelTileLoaded === null) return false;
      const style = map.getStyle();
      const ids = (style && style.layers ? style.layers : [])
        .filter((l) => l.source === source).map((l) => l.id);
      if (ids.length && map.queryRenderedFeatures({ layers: ids }).length) {
        window.__benchFirstParcels = performance.now();
        return true;
      }
      return false;
    };
    // The render right after a tile arrives may come before its features can be queried, and
    // an idle map renders no more: the check runs on every render, at idle and on each frame
    // that Playwright polls (window.__benchCheck).
    map.on("render", check);
    map.on("idle", check);
    window.__benchCheck = check;
  };
  let current;
  Object.defineProperty(window, "gisportalMap", {
    configurable: true,
    get() { return current; },
    set(value) { current = value; if (value) hook(value); },
  });
})();
"""


def _one(browser, url: str, source: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.add_init_script(_HOOK % {"source": source})
        page.goto(url, wait_until="commit")
        page.wait_for_function(
            "window.__benchCheck !== undefined && window.__benchCheck()",
            polling="raf",
            timeout=TIMEOUT_MS,
        )
        return page.evaluate(
            "({drawn: window.__benchFirstParcels, loaded: window.__benchParcelTileLoaded})"
        )
    finally:
        context.close()


def run(base_url: str, manifest: dict, *, runs: int = 5) -> dict:
    """{"p50_ms", "max_ms", "runs", ...}: navigation start to the first parcels drawn."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    lon, lat = manifest["centre"]
    url = f"{base_url.rstrip('/')}/#{ZOOM}/{lat:.6f}/{lon:.6f}"
    source = manifest.get("layer", "parcels")
    drawn, loaded, errors = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            for _ in range(runs):
                try:
                    found = _one(browser, url, source)
                except PlaywrightError as exc:
                    errors.append(str(exc).splitlines()[0][:200])
                    continue
                drawn.append(round(found["drawn"], 1))
                loaded.append(round(found["loaded"], 1))
        finally:
            browser.close()
    return {
        "p50_ms": statistics.median(drawn) if drawn else None,
        "max_ms": max(drawn) if drawn else None,
        "runs": len(drawn),
        "values_ms": drawn,
        "tile_loaded_ms": loaded,
        "errors": len(errors),
        "error_messages": errors,
        "url": url,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time the first parcel tile drawn.")
    parser.add_argument("base_url")
    parser.add_argument("manifest")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    manifest = json.loads(Path(args.manifest).read_text())
    json.dump(run(args.base_url, manifest, runs=args.runs), sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
