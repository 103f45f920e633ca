# 智教 Zhijiao. `make run` serves the platform on the embedded default; `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/zhijiao
# Two workers: the suite (browser flows included) runs in about half the time on the 2-core CI machine.
PYTEST_OPTS ?= -n 2

.PHONY: run test test-slow bench venv venv-dev chromium lint messages clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs are stamped so a second `make` does not reinstall; editing a requirements file re-runs them.
$(VENV)/.base: requirements/base.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: requirements/dev.txt $(VENV)/.base
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $@

venv: $(VENV)/.base
venv-dev: $(VENV)/.dev

run: venv
	$(BIN)/zj run

# Browser tests drive Debian's chromium; install it when it is missing (needs root or sudo).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian chromium for browser tests"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The whole suite on SQLite, then again on PostgreSQL when one is reachable (DATABASE_URL or the local
# server on 127.0.0.1:5432). pytest's exit code 5 ("no tests collected") counts as a failure.
test: venv-dev chromium
	@echo "==> Lint (ruff)"
	@$(BIN)/ruff check src tests bench
	@echo "==> Test suite on SQLite"
	@env -u DATABASE_URL $(BIN)/pytest -q -m "not slow" $(PYTEST_OPTS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "FAILED: no tests were collected"; exit 1; fi; [ $$rc -eq 0 ] || exit $$rc
	@url="$${DATABASE_URL:-$(PG_URL)}"; \
	if $(BIN)/python scripts/db_reachable.py "$$url"; then \
	  echo "==> Test suite on PostgreSQL ($$url)"; \
	  DATABASE_URL="$$url" $(BIN)/pytest -q -m "not slow" $(PYTEST_OPTS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "FAILED: no tests were collected"; exit 1; fi; [ $$rc -eq 0 ] || exit $$rc; \
	  echo "==> Ran on: SQLite and PostgreSQL"; \
	else echo "==> PostgreSQL not reachable at $$url: ran on SQLite only"; fi

# Long suites (marked `slow`), kept out of `make test` so CI stays short; none exist yet.
test-slow: venv-dev
	@$(BIN)/pytest -q -m slow $(PYTEST_OPTS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "No slow tests are marked yet."; exit 0; fi; exit $$rc

# The HTTP benchmark loads the server from a second process with wrk (Debian package).
bench: venv-dev
	@command -v wrk >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	@for script in bench/*.py; do case $$script in bench/_*) continue;; esac; \
	  echo "==> $$script"; $(BIN)/python $$script || exit 1; done

lint: venv-dev
	$(BIN)/ruff check src tests bench

messages: venv-dev
	cd src/zhijiao && ../../$(BIN)/zj makemessages -l zh_Hans --no-obsolete && ../../$(BIN)/zj compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache
