# Bakat developer entry points. Everything installs from package registries; uv stays on the
# machine's Python 3.11 (no managed-Python downloads).

SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never

UV := .tools/bin/uv
PYTHON := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: env run test bench

# Idempotent: a pinned uv in .tools, then the workspace venv exactly as locked.
env:
	@if [ ! -x $(UV) ]; then python3 -m venv .tools && .tools/bin/pip install --quiet uv==0.13.9; fi
	$(UV) sync --frozen

# The whole platform on this machine: embedded PostgreSQL + broker, migrations, topics, services.
run: env
	$(PYTHON) -m bakat_devstack run

test: env
	$(PYTHON) -m pytest $(PYTEST_ARGS)

bench: env
	$(PYTHON) bench/pipeline.py
