# Quick start: `make run` serves the bundled corpus, `make test` runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The interpreter the venv is made from: the distribution's when it is recent enough and can make
# a venv (Debian builds CPython with profile-guided and link-time optimisation: parsing and indexing
# run ~20 % faster than on a version manager's default build, such as pyenv's), else python3
# (which then says itself what it lacks).
PYTHON ?= $(or $(shell for p in /usr/bin/python3 python3; do \
	$$p -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; \
	done),python3)

.PHONY: run test install index bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	# bytecode now, as a non-editable install would: a run then does not compile the product's
	# modules each time it starts when PYTHONDONTWRITEBYTECODE is set (~0.15 s of adding one session)
	$(PY) -m compileall -q indexer webapp >/dev/null
	touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/minutes serve --port $(PORT)

index: install
	$(VENV)/bin/minutes index corpus/

test: install
	$(PY) -m pytest -q

bench: install
	$(PY) scripts/bench_parse.py

clean:
	rm -rf var .pytest_cache
