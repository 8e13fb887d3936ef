# Two commands: `make run` (set up everything and serve the demo) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Optional: make run DEMO_PASSWORD=... sets the demo users' password (otherwise a random one is printed once).
DEMO_PASSWORD ?=

.PHONY: run test lint format migrations-check check-deploy bench load install clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo $(if $(DEMO_PASSWORD),--password '$(DEMO_PASSWORD)')
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	DJANGO_DEMO_BANNER=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

check-deploy: install
	DJANGO_PRODUCTION=1 DJANGO_SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	DJANGO_ALLOWED_HOSTS=alliance.example.com $(PY) manage.py check --deploy --fail-level WARNING

# The benchmark grows its own database through three sizes (up to 200,000 exchanges and 1,000 milestones);
# BENCH_DATABASE_URL may name an empty PostgreSQL database instead,
# e.g. make bench BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_bench
BENCH_DATABASE_URL ?= sqlite:///$(CURDIR)/bench.sqlite3
bench: install
	$(PY) -m pip install --quiet -r requirements-bench.txt
	rm -f $(CURDIR)/bench.sqlite3
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench $(BENCH_ARGS)

# A mixed team (staff, managers, auditors) against gunicorn on a fresh local PostgreSQL database.
load: install
	$(PY) -m pip install --quiet -r requirements-load.txt
	$(PY) load/run.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
