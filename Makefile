# One entry point for people and CI. `make examples` and `make test` set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXAMPLES := $(sort $(dir $(wildcard examples/*/company.yaml)))

.PHONY: setup examples test golden schema taxonomy messages bench clean

setup: $(STAMP)

# Debian packages, installed when we can: HarfBuzz's subsetter makes WeasyPrint's font embedding fast (optional);
# Chromium runs axe-core, the accessibility checker of the tests; Noto Sans CJK sets the
# Chinese text (the company's Chinese name) that no other installed font has; LibreOffice Calc
# (without its GUI) re-saves collection workbooks in the tests, as a site using it would, and
# prints them to PDF, which poppler's pdftotext reads back.
DEBIAN_PACKAGES := libharfbuzz-subset0 chromium fonts-noto-cjk libreoffice-calc-nogui poppler-utils

$(STAMP): pyproject.toml
	@if ! ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || ! command -v chromium >/dev/null \
	    || ! fc-list 2>/dev/null | grep -q "Noto Sans CJK" || ! command -v soffice >/dev/null \
	    || ! command -v pdftotext >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "apt-get install $(DEBIAN_PACKAGES)"; \
	    (DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEBIAN_PACKAGES) >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEBIAN_PACKAGES) >/dev/null 2>&1)) || \
	    echo "note: $(DEBIAN_PACKAGES) could not be installed; the accessibility, font and LibreOffice tests will fail"; \
	  else echo "note: install $(DEBIAN_PACKAGES) (Debian) for faster PDFs, Chinese text, the accessibility test and the LibreOffice test"; fi; \
	fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@# compiled now: where PYTHONDONTWRITEBYTECODE is set (as in many containers) every command
	@# would compile the builder again, a tenth of `build-report check`
	$(BIN)/python -m compileall -q builder
	@# The Nu Html Checker (Java) and axe-core (in Chromium) judge the HTML in the tests.
	npm install --silent --no-fund --no-audit --prefix .tools vnu-jar@26.9.27 axe-core@4.14.1 playwright-core@1.65.1
	@touch $(STAMP)

examples: setup
	@for dir in $(EXAMPLES); do \
	  echo "building $$dir"; \
	  (cd $$dir && ../../$(BIN)/build-report company.yaml) || exit $$?; \
	done
	@echo "Open the reports:" $$(ls $(foreach d,$(EXAMPLES),$(d)output/report*.pdf))

test: setup
	$(BIN)/python -m pytest

# Timings, never in the tests: the build against WeasyPrint alone (examples and a generated
# 10,000-fact company); the checks and what tagging and the archival PDF cost in layout; the
# live preview's rebuild. Takes about twenty minutes.
bench: setup
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/check_speed.py
	$(BIN)/python benchmarks/serve_speed.py

golden: setup
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_build.py -k golden -q
	@git status --short tests/golden

schema: setup
	@mkdir -p schema
	$(BIN)/build-report schema -o schema/company.schema.json

taxonomy: setup
	$(BIN)/build-report taxonomy

# The report's built-in text: extract every marked message of the builder and the templates
# (babel.cfg) into locale/messages.pot, and merge it into each language's .po, where a new or
# changed message waits, empty or marked fuzzy, for its translation (the tests fail until then).
messages: setup
	$(BIN)/pybabel extract -F babel.cfg -o locale/messages.pot -w 100 --add-comments=Translators: \
	  --project=hkex-esg-report-builder --copyright-holder="the HKEX ESG report builder's authors" .
	$(BIN)/pybabel update -i locale/messages.pot -d locale -D messages -w 100 --previous --ignore-obsolete

clean:
	rm -rf $(VENV) .tools examples/*/output .pytest_cache
