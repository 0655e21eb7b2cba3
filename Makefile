# Bakat developer entry points. Everything installs from package registries; uv stays on the
# machine's Python 3.11 (no managed-Python downloads).

SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never

UV := .tools/bin/uv
PYTHON := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: env tools run demo test bench

# Idempotent: a pinned uv in .tools, then the workspace venv exactly as locked.
env:
	@if [ ! -x $(UV) ]; then python3 -m venv .tools && .tools/bin/pip install --quiet uv==0.13.9; fi
	$(UV) sync --frozen

# The whole platform on this machine: embedded PostgreSQL + broker, migrations, topics, services.
run: env
	$(PYTHON) -m bakat_devstack run

# A demo province (three kota/kabupaten, ~3,000 employees, SKP, assessments, venues, assessors) loaded
# through the public API of the platform `make run` started.
demo: env
	$(PYTHON) -m bakat_devstack demo

# promtool and prometheus (Debian package `prometheus`) for the alert-rule and scrape tests; Chromium
# (Debian packages `chromium`, `chromium-driver`) for the web pages' browser tests.
tools:
	@missing=""; command -v promtool >/dev/null || missing="prometheus"; \
	  command -v chromium >/dev/null || missing="$$missing chromium chromium-driver"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	    else echo "missing tools: sudo apt-get install $$missing" >&2; exit 1; fi; \
	  fi

test: env tools
	$(PYTHON) -m pytest $(PYTEST_ARGS)

bench: env
	$(PYTHON) bench/pipeline.py
