# Hidden Work: the two set-up commands are `make lab` and `make test` (see README.md).
# Both work on a fresh machine with Python >= 3.11 and make: they create .venv when missing.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# crowd-kit is only a test oracle for our aggregation code. Its aggregation classes import
# without the heavy packages it declares (transformers, pyarrow: about 360 MB), so it is
# installed without them, and with the few light packages it really imports (nltk, attrs).
CROWDKIT := crowd-kit==1.4.2
CROWDKIT_DEPS := nltk attrs
# Jupyter, IPython and matplotlib keep their state in the checkout, not in your home.
LOCAL    := $(CURDIR)/.jupyter-local
JUPYTER_ENV := PATH="$(CURDIR)/$(BIN):$$PATH" JUPYTER_CONFIG_DIR=$(LOCAL)/config JUPYTER_DATA_DIR=$(LOCAL)/data \
	JUPYTER_RUNTIME_DIR=$(LOCAL)/runtime IPYTHONDIR=$(LOCAL)/ipython MPLCONFIGDIR=$(LOCAL)/matplotlib
PORT ?= 8888
# Jupyter refuses to start as root (containers, CI) unless told to.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test labs bench clean help chromium

help:
	@echo "make lab    - install (first time) and open JupyterLab on labs/"
	@echo "make test   - install the dev tools (first time) and run the whole suite"
	@echo "make labs   - regenerate the student notebooks in labs/ from grading/source/"
	@echo "make bench  - run the benchmarks in benchmarks/"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Hidden Work needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml Makefile $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m pip install --quiet --no-deps $(CROWDKIT)
	$(PY) -m pip install --quiet $(CROWDKIT_DEPS)
	@touch $@

lab: $(VENV)/.installed
	@mkdir -p $(LOCAL)/config $(LOCAL)/data $(LOCAL)/runtime $(LOCAL)/ipython $(LOCAL)/matplotlib
	$(JUPYTER_ENV) $(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--ServerApp.open_browser=False --ServerApp.root_dir=$(CURDIR)/labs $(ALLOW_ROOT)

# Debian's Chromium for the browser tests (tests/browser): installed when missing and make
# runs as root; otherwise those tests are skipped (and fail under CI). Never a browser download.
chromium:
	@if command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's Chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "Chromium is missing and make is not root: browser tests will be skipped (as root: apt-get install chromium)"; fi

test: $(VENV)/.installed-dev chromium
	$(BIN)/ruff check src tests grading benchmarks datasets
	$(BIN)/ruff format --check src tests grading benchmarks datasets
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadgroup

labs: $(VENV)/.installed
	$(PY) grading/tools/make_labs.py

bench: $(VENV)/.installed-dev chromium
	$(PY) benchmarks/aggregation.py --quick
	$(PY) benchmarks/labs.py
	$(PY) benchmarks/widget.py

clean:
	rm -rf grading/release grading/submitted grading/autograded grading/feedback grading/gradebook.db
