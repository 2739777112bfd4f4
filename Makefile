PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup setup-test run test test-fast lint demo-data bench audit clean backup restore

setup:
	bash scripts/setup.sh

setup-test:
	bash scripts/setup.sh --test

# As production serves it: gunicorn, DEBUG off, compressed static files (scripts/run.sh).
run: setup
	HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh

# For development: runserver with DEBUG, reloading on every change.
.PHONY: dev
dev: setup
	HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh --dev

# lint-imports checks the layers of DESIGN.md (contracts in pyproject.toml).
lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	.venv/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

# The tests run in parallel, one worker per core (pytest-xdist), each with its own test
# database, live server and Chromium; TEST_WORKERS=0 runs them in this process.
# --dist loadgroup keeps the tests of one xdist_group (e.g. the schemathesis run and its
# summary) on one worker. Python's bytecode cache stays on for the tests: pytest keeps the
# test modules and plugins it rewrote there, which saves every worker half a minute.
TEST_WORKERS ?= auto
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup

test: setup-test lint
	$(PYTEST) $(PYTEST_ARGS)

# The inner loop, without set-up and lint: every test but the browser tests, the few
# exhaustive ones over all demo data (marker "slow": the seeded disclosure attack, every output
# searched for withheld numbers, every demo value through export and import) and those that run
# another program against the atlas (marker "external": gunicorn, GDAL, LibreOffice, pg_dump,
# the OGC test suite), which make test runs.
test-fast:
	$(PYTEST) -m "not browser and not slow and not external" $(PYTEST_ARGS)

# Disclosure control attacked from the outside: a count of 1 or 2 planted in every cell
# (indicator, year, district) of the demo data, each recovered by integer programming if it
# can be (indicators/attack.py); fails if one is pinned or proven below its threshold.
# AUDIT_WORKERS processes (default: one per core) share the cases (scripts/audit.sh).
audit: setup
	bash scripts/audit.sh

# Rebuild the committed demo data from its seeded generator.
demo-data:
	$(PY) fixtures/bottrop/generate.py

# Database dump and uploaded files into a new directory under BACKUP_DIR (default ./backups);
# restore one with `make restore BACKUP=backups/atlas-20250101T020000Z`.
backup:
	bash scripts/backup.sh

restore:
	bash scripts/restore.sh "$(BACKUP)"

# Performance benchmarks (bench/README.md); BENCH_ARGS=--quick for a short check run.
BENCH_DATABASE_URL ?= postgis://atlas:atlas@127.0.0.1:5432/atlas_bench
bench:
	bash bench/setup.sh
	DATABASE_URL=$(BENCH_DATABASE_URL) bash bench/database.sh
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/run_all.py $(BENCH_ARGS)

clean:
	rm -f .venv/.installed
