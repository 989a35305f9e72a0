#!/usr/bin/env bash
# Install what is missing, and only that: Debian packages, the .venv, front-end assets, static files.
# Usage: scripts/setup.sh [test|bench]
# Each step is skipped when its inputs have not changed since it last ran (stamps in .state/).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
state=${GISPORTAL_STATE_DIR:-$root/.state}
mkdir -p "$state/stamps"

debs=(
  postgresql-15-postgis-3 postgresql-15-postgis-3-scripts
  gdal-bin libgdal32 libgeos-c1v5 libproj25 proj-data
  gettext chromium fonts-dejavu-core fonts-noto-core
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
)
# `setup.sh test` adds what only the tests use: QGIS as a real OGC client, PDF text tools;
# `setup.sh test` and `setup.sh bench` add wrk, the HTTP load generator of bench/ (pgbench comes
# with postgresql-15, ogr2ogr with gdal-bin).
if [ "${1:-}" = test ]; then
  debs+=(python3-qgis poppler-utils)
fi
if [ "${1:-}" = test ] || [ "${1:-}" = bench ]; then
  debs+=(wrk)
fi
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "setup: run as root, or install these packages first: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# stamp NAME FILE...: true when the files changed since the stamp was written.
changed() {
  local name=$1; shift
  local sum
  sum=$(cat "$@" 2>/dev/null | sha256sum | cut -c1-64)
  [ "$(cat "$state/stamps/$name" 2>/dev/null)" != "$sum" ]
}
stamp() {
  local name=$1; shift
  cat "$@" 2>/dev/null | sha256sum | cut -c1-64 >"$state/stamps/$name"
}

py=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$py" -m venv .venv
fi
if changed venv pyproject.toml; then
  echo "setup: installing Python packages"
  # pip's output goes to a log, shown only when it fails.
  if ! { .venv/bin/pip install -q -U pip && .venv/bin/pip install -q -e '.[dev]'; } >"$state/pip.log" 2>&1; then
    cat "$state/pip.log" >&2
    exit 1
  fi
  stamp venv pyproject.toml
fi

if changed npm package.json package-lock.json || [ ! -d node_modules ]; then
  echo "setup: installing front-end packages"
  npm ci --no-audit --no-fund --silent
  stamp npm package.json package-lock.json
fi

vendor=core/static/vendor
if changed vendor package-lock.json scripts/setup.sh || [ ! -d "$vendor" ]; then
  rm -rf "$vendor"
  mkdir -p "$vendor/maplibre-gl" "$vendor/htmx" "$vendor/terra-draw"
  cp node_modules/maplibre-gl/dist/maplibre-gl.js node_modules/maplibre-gl/dist/maplibre-gl.css "$vendor/maplibre-gl/"
  cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx/"
  cp node_modules/terra-draw/dist/terra-draw.umd.js "$vendor/terra-draw/"
  cp node_modules/terra-draw-maplibre-gl-adapter/dist/terra-draw-maplibre-gl-adapter.umd.js "$vendor/terra-draw/"
  stamp vendor package-lock.json scripts/setup.sh
fi

if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1 &&
  { changed messages locale/*/LC_MESSAGES/*.po || ! ls locale/*/LC_MESSAGES/*.mo >/dev/null 2>&1; }; then
  .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
  stamp messages locale/*/LC_MESSAGES/*.po
fi

# Static files change with the code and the installed packages; collect them only then.
find . -path ./node_modules -prune -o -path ./.venv -prune -o -path ./staticfiles -prune -o \
  -path ./.state -prune -o -path '*/static/*' -type f -printf '%p %T@ %s\n' 2>/dev/null |
  sort >"$state/static.list"
if changed static "$state/static.list" "$state/stamps/venv" "$state/stamps/vendor" || [ ! -d staticfiles ]; then
  .venv/bin/python manage.py collectstatic --noinput -v 0
  stamp static "$state/static.list" "$state/stamps/venv" "$state/stamps/vendor"
fi
