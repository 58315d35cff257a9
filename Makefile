# KT1 Inspect: `make run` serves the embedded defaults, `make test` runs every check.
SHELL := /bin/bash
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin

# The first Python 3.12+ found on PATH or among pyenv's installed versions.
PYTHON ?= $(shell for c in python3.14 python3.13 python3.12 python3 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	  then command -v $$c; break; fi; done)

PG_MAJOR := $(shell ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)
DEBIAN_PACKAGES := libsqlite3-mod-spatialite fonts-liberation2 fonts-dejavu-core chromium \
	$(if $(PG_MAJOR),postgresql-$(PG_MAJOR)-postgis-3)

.PHONY: run test bench lint system-deps seed clean

$(BIN)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.12 or newer is required; install it (e.g. pyenv install 3.12) and retry." >&2; exit 1; fi
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
	  echo "Please install these Debian packages by hand (root needed):$$missing" >&2; \
	  echo "  sudo apt-get install -y$$missing" >&2; \
	  if [ -n "$$CI" ]; then exit 1; fi; \
	fi

run: system-deps $(BIN)/.installed
	$(BIN)/kt1 db upgrade
	$(BIN)/kt1 seed demo
	$(BIN)/kt1 signing demo-ca
	PORT=$(PORT) $(BIN)/kt1 serve --port $(PORT)

JSCHECK := api/jscheck

# The browser code's type check (tsc --checkJs over JSDoc types), pinned by package-lock.json.
$(JSCHECK)/node_modules/.installed: $(JSCHECK)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "Node.js and npm are required for the browser code's type check (apt-get install -y nodejs npm)." >&2; exit 1; }
	npm ci --prefix $(JSCHECK) --no-audit --no-fund --loglevel=error
	@touch $@

lint: $(BIN)/.installed $(JSCHECK)/node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(JSCHECK)/node_modules/.bin/tsc -p $(JSCHECK)/tsconfig.json

# Three processes (-n 3) on two cores: most of the time is spent waiting (browsers, rq
# heartbeats, live servers), not computing. Each gets its own PostGIS and SpatiaLite test
# databases; a module's tests stay in one process (--dist loadfile) so its live server and
# scratch database are shared; the longest modules start first (tests/conftest.py).
test: system-deps $(BIN)/.installed lint
	$(BIN)/pytest -n $${KT1_TEST_WORKERS:-3} --dist loadfile --durations=15

bench: system-deps $(BIN)/.installed
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .mypy_cache $(JSCHECK)/node_modules
