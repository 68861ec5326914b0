# camfleet.hikvision — every target that needs Python runs inside .venv, made from pinned files.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The collection must be importable as ansible_collections.camfleet.hikvision: a link in
# .collections/ points back at this checkout, so edits are live without a build step.
COLL_ROOT := $(CURDIR)/.collections
COLL_LINK := $(COLL_ROOT)/ansible_collections/camfleet/hikvision
export ANSIBLE_COLLECTIONS_PATH := $(COLL_ROOT)
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH := false
export PATH := $(CURDIR)/$(BIN):$(PATH)

PYTEST_ARGS ?=

.PHONY: setup demo test unit integration emulator-test lock clean

$(BIN)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(COLL_LINK):
	mkdir -p $(dir $(COLL_LINK))
	ln -sfn $(CURDIR) $(COLL_LINK)

setup: $(BIN)/.installed $(COLL_LINK)

demo: setup
	$(BIN)/python scripts/demo.py

test: setup
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS) tests

unit: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS) tests/unit

lock:
	$(PYTHON) -m venv /tmp/camfleet-lock
	/tmp/camfleet-lock/bin/pip install --quiet -r requirements.in
	{ echo "# Every package the project installs into .venv, pinned. Generated from requirements.in by 'make lock'."; \
	  /tmp/camfleet-lock/bin/pip freeze | grep -v '^pip=='; } > requirements-dev.txt

clean:
	rm -rf $(VENV) $(COLL_ROOT) .pytest_cache
