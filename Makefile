# Two commands: `make run` (set up everything and serve the demo) and `make test`.
# .venv is made with the first Python 3.11 or newer on PATH (pyproject.toml: requires-python >= 3.11), trying 3.11
# first as the Docker image uses it; `make run PYTHON=/path/to/python3.x` picks another.
PYTHON ?= $(firstword $(foreach candidate,python3.11 python3.12 python3.13 python3.14 python3,\
	$(if $(shell $(candidate) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo ok),$(candidate))))
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Optional: make run DEMO_PASSWORD=... sets the demo users' password (otherwise a random one is printed once).
DEMO_PASSWORD ?=

.PHONY: run test lint format migrations-check check-deploy messages translations-check bench load install clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || test -n "$(PYTHON)" || \
		{ echo "Alliance Tracker needs Python 3.11 or newer and found none on PATH: install one," \
		       "or name it: make run PYTHON=/path/to/python3.x"; exit 1; }
	@test -x $(PY) || $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "$(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'): Alliance Tracker needs 3.11 or newer."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo $(if $(DEMO_PASSWORD),--password '$(DEMO_PASSWORD)')
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/), with a background-job worker"
	@# The worker runs beside the server and stops with it (Ctrl-C, or the server ending for any other reason).
	DJANGO_DEMO_BANNER=1 $(PY) manage.py db_worker --verbosity 0 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		DJANGO_DEMO_BANNER=1 $(PY) manage.py runserver $(HOST):$(PORT)

# The accessibility checks' axe-core and Nu Html Checker (npm, tools/a11y); without npm those tests skip.
A11Y_TOOLS := tools/a11y/node_modules/.package-lock.json
$(A11Y_TOOLS): tools/a11y/package-lock.json
	cd tools/a11y && npm ci --ignore-scripts --no-audit --no-fund

# The suite runs on every core (pytest-xdist); each worker has its own test database (and, for the browser journeys,
# its own app server and journeys database). Each worker keeps its test database between runs and migrate brings it
# up to date; after editing or removing a migration, `make test PYTEST_DB=--create-db` builds it anew (CI always
# does). Production's compressed static files are kept too, named for the static folders, settings and packages
# they are built from, and on SQLite the demo database, named for the code and the day.
# Tests marked with one xdist_group run on one worker (--dist loadgroup): the page checks of one language share a
# visit of every page; the long units (tests/scheduling.py, HEAVY) start first, longest first.
# PYTEST_WORKERS=0 runs everything in this one process.
# A run starts dozens of Python processes (workers, app servers, management commands): the modules they compile are
# kept in pytest's cache folder, also where PYTHONDONTWRITEBYTECODE is set (as in many container images), so that each
# process reads them instead of compiling the project and the tests again (a worker's start takes half the time).
PYTEST_WORKERS ?= auto
PYTEST_DB ?= --reuse-db
test: install $(if $(shell command -v npm),$(A11Y_TOOLS))
	env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(CURDIR)/.pytest_cache/pycache \
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_DB) $(PYTEST_ARGS)

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

# Translations: `make messages` refreshes locale/ja from the code and compiles it; translate the new entries in
# locale/ja/LC_MESSAGES/django.po and run it again. The compiled .mo files are committed, so running the app needs
# no gettext tools; these two targets do (Debian package gettext).
CATALOG := locale/ja/LC_MESSAGES/django
MAKEMESSAGES := $(PY) manage.py makemessages --locale ja --no-obsolete --add-location file \
	--ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'load/*' --ignore 'staticfiles/*'
messages: install
	$(MAKEMESSAGES)
	msgfmt --check-format -o $(CATALOG).mo $(CATALOG).po

# Fails when the catalog misses a string of the code, has an untranslated or fuzzy entry, or when the committed
# .mo is not what the .po compiles to.
translations-check: install
	$(MAKEMESSAGES)
	git diff --exit-code -I '^"POT-Creation-Date: ' -- $(CATALOG).po || \
		{ echo "locale/ja is out of date with the code: run make messages and translate the new entries."; exit 1; }
	test -z "$$(msgattrib --untranslated --no-obsolete $(CATALOG).po)" || \
		{ msgattrib --untranslated --no-obsolete $(CATALOG).po; echo "Untranslated entries above."; exit 1; }
	test -z "$$(msgattrib --only-fuzzy --no-obsolete $(CATALOG).po)" || \
		{ msgattrib --only-fuzzy --no-obsolete $(CATALOG).po; echo "Fuzzy entries above."; exit 1; }
	msgfmt --check-format -o $(CATALOG).check.mo $(CATALOG).po
	cmp $(CATALOG).check.mo $(CATALOG).mo || \
		{ rm -f $(CATALOG).check.mo; echo "The committed .mo differs from the .po: run make messages."; exit 1; }
	rm -f $(CATALOG).check.mo

# The benchmark grows its own database through three sizes (up to 200,000 exchanges and 1,000 milestones);
# BENCH_DATABASE_URL may name an empty PostgreSQL database instead,
# e.g. make bench BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_bench
BENCH_DATABASE_URL ?= sqlite:///$(CURDIR)/bench.sqlite3
bench: install
	$(PY) -m pip install --quiet -r requirements-bench.txt
	rm -f $(CURDIR)/bench.sqlite3 $(CURDIR)/bench.sqlite3-journal $(CURDIR)/bench-first_size.sqlite3
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench $(BENCH_ARGS)

# A mixed team (staff, managers, auditors) against gunicorn on a fresh local PostgreSQL database.
# It DROPS and recreates that database first: alliance_load, or whatever LOAD_DATABASE_URL names (load/run.py).
load: install
	$(PY) -m pip install --quiet -r requirements-load.txt
	$(PY) load/run.py

# Deletes the virtualenv, collected static files and the development database (demo data and all it holds).
clean:
	rm -rf $(VENV) staticfiles db.sqlite3
