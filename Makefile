PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup setup-test run test lint demo-data bench clean

setup:
	bash scripts/setup.sh

setup-test:
	bash scripts/setup.sh --test

run: setup
	$(PY) manage.py runserver $(HOST):$(PORT)

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

test: setup-test lint
	$(PY) -m pytest

# Rebuild the committed demo data from its seeded generator.
demo-data:
	$(PY) fixtures/bottrop/generate.py

clean:
	rm -f .venv/.installed
