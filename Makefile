# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test test-fast setup serve lint format bench load clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed
	bash scripts/ensure-node-packages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_2017_round
	$(PY) manage.py load_2026_round
	$(PY) manage.py load_demo_round
	$(PY) manage.py create_demo_users

run: setup
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# In parallel with pytest-xdist, one worker per CPU; each test module stays on one worker (its
# fixtures load the 2017 round once) and each browser test is handed out alone
# (tests/conftest.py). Serially: make test PYTEST_ARGS="-n 0".
XDIST ?= -n auto --dist loadfile

test: $(VENV)/.installed
	bash scripts/ensure-chromium
	bash scripts/ensure-java
	bash scripts/ensure-node-packages
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

test-fast: $(VENV)/.installed
	bash scripts/ensure-java
	bash scripts/ensure-node-packages
	$(PY) -m pytest -m "not e2e and not deploy" $(XDIST) $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(VENV)/.installed
	$(PY) scripts/bench_reports.py
	$(PY) scripts/bench_imports.py
	$(PY) scripts/bench_cache.py

# locust (the `load` extra) in a virtualenv of its own: it cannot share a process with Django.
LOAD_VENV := .venv-load
$(LOAD_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/pip install --quiet --upgrade pip
	$(LOAD_VENV)/bin/pip install --quiet -e '.[load]'
	touch $@

# A mixed load on gunicorn and PostgreSQL, on loopback, for 60 s (scripts/load.py).
load: $(VENV)/.installed $(LOAD_VENV)/.installed
	bash scripts/ensure-node-packages
	$(PY) scripts/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) $(LOAD_VENV) db.sqlite3 staticfiles build
