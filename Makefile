# One entry point for people and CI. `make examples` and `make test` set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXAMPLES := $(sort $(dir $(wildcard examples/*/company.yaml)))

.PHONY: setup examples test golden schema taxonomy clean

setup: $(STAMP)

# HarfBuzz's subsetter makes WeasyPrint's font embedding fast (CJK especially); it is a
# Debian package, installed when we can, and optional otherwise.
$(STAMP): pyproject.toml
	@if ! ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -q libharfbuzz-subset0 >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q libharfbuzz-subset0 >/dev/null 2>&1)) || \
	    echo "note: libharfbuzz-subset0 could not be installed; fonts are subset more slowly"; \
	  else echo "note: install libharfbuzz-subset0 for faster PDFs"; fi; \
	fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@# The Nu Html Checker (Java) judges the HTML in the tests.
	npm install --silent --no-fund --no-audit --prefix .tools vnu-jar@26.9.27
	@touch $(STAMP)

examples: setup
	@for dir in $(EXAMPLES); do \
	  echo "building $$dir"; \
	  (cd $$dir && ../../$(BIN)/build-report company.yaml) || exit $$?; \
	done
	@echo "Open the reports: $(foreach d,$(EXAMPLES),$(d)output/report.pdf)"

test: setup
	$(BIN)/python -m pytest

golden: setup
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_build.py -k golden -q
	@git status --short tests/golden

schema: setup
	@mkdir -p schema
	$(BIN)/build-report schema -o schema/company.schema.json

taxonomy: setup
	$(BIN)/build-report taxonomy

clean:
	rm -rf $(VENV) .tools examples/*/output .pytest_cache
