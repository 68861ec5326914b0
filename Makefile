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

.PHONY: setup demo test unit lock clean sanity lint docs changelog ee bench test-deps

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

# Static checks first (they fail fast), pytest last (its summary is the closing line CI reads).
test: setup
	$(MAKE) --no-print-directory sanity lint
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS) tests

unit: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS) tests/unit

# System packages of the bindep.txt test profile that are missing (Debian: chromium,
# chromium-driver for the audit report's browser test, which skips naming them when absent).
test-deps: setup
	$(BIN)/bindep -b test | xargs -r apt-get install -y

# ansible-test sanity on the built collection, without Docker (scripts/sanity.sh).
# e.g. make sanity SANITY_ARGS='--test validate-modules'
SANITY_ARGS ?=
sanity: setup
	bash scripts/sanity.sh $(SANITY_ARGS)

# ansible-lint (production profile: playbooks/, roles/, module EXAMPLES; .ansible-lint), the
# guides' structure (docs/docsite) and the changelog fragments.
lint: setup
	$(BIN)/ansible-lint --nocolor
	$(BIN)/antsibull-docs lint-collection-docs --check-extra-docs-refs .
	$(BIN)/antsibull-changelog lint
	$(BIN)/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml

# The documentation site (module pages + guides) in docs/build/html; works offline.
bench: setup
	$(BIN)/python scripts/bench.py

docs: setup
	bash scripts/docs.sh

# Lint the fragments and (re)write changelogs/changelog.yaml and CHANGELOG.rst for the version
# in galaxy.yml.
changelog: setup
	$(BIN)/antsibull-changelog lint
	$(BIN)/antsibull-changelog release --reload-plugins

# Build context of an execution environment with this collection, in build/ee/context.
ee: setup
	$(BIN)/python scripts/ee_context.py build/ee

lock:
	$(PYTHON) -m venv --clear /tmp/camfleet-lock
	/tmp/camfleet-lock/bin/pip install --quiet -r requirements.in
	{ echo "# Every package the project installs into .venv, pinned. Generated from requirements.in by 'make lock'."; \
	  /tmp/camfleet-lock/bin/pip freeze | grep -v '^pip=='; } > requirements-dev.txt

clean:
	rm -rf $(VENV) $(COLL_ROOT) .pytest_cache .ansible docs/build build
