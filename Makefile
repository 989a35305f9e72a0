# The two commands: `make run` serves the portal, `make test` runs every check.
# Both install what is missing first (scripts/setup.sh) and, when DATABASE_URL is unset,
# start the private PostGIS cluster under .state/ (scripts/pg.sh).
# `make bench` measures ours against tipg, pygeoapi and the database on 1,000,000 parcels
# (bench/README.md); `make bench-smoke` runs the same harness on 10,000 parcels in minutes.

SHELL := /bin/bash
PORT ?= 8000
# Links in e-mails and decision PDFs, and the site that account e-mails name, lead to where
# `make run` serves, unless a deployment sets its own public address.
GISPORTAL_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
export GISPORTAL_PUBLIC_URL
WORKERS ?= 2
PY := .venv/bin/python
STATE := .state

.PHONY: run serve stop test lint setup setup-test setup-bench db migrate demo bench bench-smoke clean

setup:
	@bash scripts/setup.sh

db: setup
	@if [ -z "$$DATABASE_URL" ]; then bash scripts/pg.sh start; fi

migrate: db
	@$(PY) manage.py migrate --noinput -v 0

demo: db
	@$(PY) manage.py prepare

run: demo serve

serve:
	@mkdir -p $(STATE)
	@$(PY) manage.py procrastinate worker > $(STATE)/worker.log 2>&1 & echo $$! > $(STATE)/worker.pid
	@echo "gisportal: serving on http://127.0.0.1:$(PORT)/ (make stop to stop)"
	@exec .venv/bin/gunicorn gisportal.wsgi:application --config gisportal/gunicorn.conf.py \
		--bind 127.0.0.1:$(PORT) --workers $(WORKERS) --threads 4 \
		--pid $(STATE)/gunicorn.pid --access-logfile - --log-level warning

stop:
	@if [ -f $(STATE)/worker.pid ]; then kill $$(cat $(STATE)/worker.pid) 2>/dev/null || true; rm -f $(STATE)/worker.pid; fi
	@if [ -f $(STATE)/gunicorn.pid ]; then kill $$(cat $(STATE)/gunicorn.pid) 2>/dev/null || true; rm -f $(STATE)/gunicorn.pid; fi
	@if [ -f $(STATE)/pgdata/PG_VERSION ]; then bash scripts/pg.sh stop; fi
	@echo "gisportal: stopped"

lint: setup
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .

setup-test:
	@bash scripts/setup.sh test

test: setup-test db lint
	@$(PY) manage.py makemigrations --check --dry-run -v 1
	@GISPORTAL_ENV=production SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
		$(PY) manage.py check --deploy --fail-level WARNING
	@.venv/bin/pytest -p no:cacheprovider --create-db
	@$(MAKE) --no-print-directory bench-smoke

setup-bench:
	@bash scripts/setup.sh bench

bench: setup-bench db
	@$(PY) -m bench.run --parcels 1000000

bench-smoke: setup-bench db
	@$(PY) -m bench.run --smoke

clean: stop
	rm -rf $(STATE) staticfiles core/static/vendor
