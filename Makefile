# camfleet.hikvision — every target that needs Python runs inside .venv, made from pinned files.
# .venv runs on the newest CPython 3.12+ on this machine (scripts/find_python.sh: PATH first,
# then pyenv's versions); PYTHON=/path/to/python3.x picks another.
PYTHON ?=
VENV   := .venv
# Compatibility passes (make compat, part of make test): each ansible-core release that
# meta/runtime.yml's requires_ansible admits besides the newest, on the Python named here,
# in its own .venv-compat-<release> made from requirements-compat-<release>.txt.
COMPAT := 2.20
COMPAT_PYTHON_2.20 := 3.12
BIN    := $(VENV)/bin
# The collection must be importable as ansible_collections.camfleet.hikvision: a link in
# .collections/ points back at this checkout, so edits are live without a build step.
COLL_ROOT := $(CURDIR)/.collections
COLL_LINK := $(COLL_ROOT)/ansible_collections/camfleet/hikvision
export ANSIBLE_COLLECTIONS_PATH := $(COLL_ROOT)
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH := false
export PATH := $(CURDIR)/$(BIN):$(PATH)

PYTEST_ARGS ?=

.PHONY: setup demo test unit lock clean sanity lint docs changelog ee bench soak dist compat molecule test-deps

# $(call venv,DIR,MIN,MAX,PYTHON): (re)make DIR from the newest CPython MIN..MAX (or PYTHON).
# A .venv that is a link to someone else's venv is never cleared.
define venv
	@if [ -L $(1) ]; then echo "$(1) is a link to a shared venv; remove the link to build your own" >&2; exit 1; fi
	py="$(or $(4),$$(bash scripts/find_python.sh $(2) $(3)))" && echo "$(1): $$("$$py" -V) ($$py)" \
	  && "$$py" -m venv --clear $(1)
endef

$(BIN)/.installed: requirements-dev.txt
	$(call venv,$(VENV),3.12,,$(PYTHON))
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

.venv-compat-%/.installed: requirements-compat-%.txt
	$(call venv,.venv-compat-$*,$(COMPAT_PYTHON_$*),$(COMPAT_PYTHON_$*))
	.venv-compat-$*/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

$(COLL_LINK):
	mkdir -p $(dir $(COLL_LINK))
	ln -sfn $(CURDIR) $(COLL_LINK)

setup: $(BIN)/.installed $(COLL_LINK)

demo: setup
	$(BIN)/python scripts/demo.py

# Static checks first (they fail fast), pytest last (its summary is the closing line CI reads).
test: setup
	$(MAKE) --no-print-directory test-deps sanity lint compat molecule
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS) tests

# On each older ansible-core in COMPAT: sanity, and every ISAPI module through ansible-playbook
# on both execution paths (in-process and shipped as a module). Kept small: the full suite
# runs on the newest release only.
COMPAT_SMOKE := tests/integration/test_module_path.py
compat: $(COMPAT:%=.venv-compat-%/.installed) $(COLL_LINK)
	@set -e; for v in $(COMPAT); do \
	  echo "== compatibility pass: ansible-core $$v"; \
	  PATH="$(CURDIR)/.venv-compat-$$v/bin:$$PATH" bash scripts/sanity.sh; \
	  PATH="$(CURDIR)/.venv-compat-$$v/bin:$$PATH" .venv-compat-$$v/bin/python -m pytest \
	    -p no:cacheprovider -q $(COMPAT_SMOKE); \
	done

# The roles' molecule scenarios (extensions/molecule/) against one emulated fleet.
# e.g. make molecule MOLECULE_ARGS='-s backup'
MOLECULE_ARGS ?=
molecule: setup
	$(BIN)/python scripts/molecule.py $(MOLECULE_ARGS)

unit: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS) tests/unit

# System packages of the bindep.txt test profile that are missing (Debian: chromium,
# chromium-driver for the audit report's browser test, which skips naming them when absent).
# System packages of the tests (bindep.txt profile test: chromium for the audit report's browser
# test). make test installs what is missing when it can (root with apt-get, as in CI); elsewhere
# it says what to install, and the browser test skips naming the package.
test-deps: setup
	@missing="$$($(BIN)/bindep -b test || true)"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing test packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "note: install $$missing (Debian packages) for the browser test; it skips without them"; fi

# ansible-test sanity on the built collection, without Docker (scripts/sanity.sh).
# e.g. make sanity SANITY_ARGS='--test validate-modules'
SANITY_ARGS ?=
sanity: setup
	bash scripts/sanity.sh $(SANITY_ARGS)

# ansible-lint (production profile: playbooks/, roles/, module EXAMPLES; .ansible-lint), the
# guides' structure (docs/docsite) and the changelog fragments.
lint: setup
	$(BIN)/ruff check --no-cache .
	$(BIN)/ansible-lint --nocolor
	$(BIN)/antsibull-docs lint-collection-docs --check-extra-docs-refs .
	$(BIN)/antsibull-changelog lint
	$(BIN)/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml

# What users install: the emulator's wheel (pip install dist/camfleet_emulator-*.whl gives the
# camfleet-emulator command) and the collection tarball (ansible-galaxy collection install).
# setuptools builds inside emulator/; its scratch folders are removed again afterwards.
DIST ?= dist
dist: setup
	mkdir -p $(DIST)
	$(BIN)/pip wheel --quiet --no-deps --wheel-dir $(DIST) ./emulator
	rm -rf emulator/build emulator/*.egg-info
	$(BIN)/ansible-galaxy collection build --force --output-path $(DIST) .
	@ls -1 $(DIST)

# Side by side on one emulated fleet (scripts/bench.py): harden.yml, a hand-written uri playbook,
# a plain-Python floor and the modules shipped per task; bench/results.json and a table. Never
# part of make test. e.g. make bench BENCH_ARGS='--devices 1000 --slow-devices 40'
BENCH_ARGS ?=
bench: setup
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

# rotate_credentials.yml + harden.yml three times over 500 emulated devices with realistic timing
# and 10% of all requests hit by random faults, then once without; the passwords checked against
# the credential store, failed logins per device, bench/soak-results.json (scripts/soak.py).
# Never part of make test. e.g. make soak SOAK_ARGS='--devices 100 --seed 1 --fault-rate 0.2'
SOAK_ARGS ?=
soak: setup
	$(BIN)/python scripts/soak.py $(SOAK_ARGS)

# The documentation site (module pages + guides) in docs/build/html; works offline.

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

# Re-pin requirements-dev.txt (and each compatibility pass's file) from its .in file, resolved
# on the Python its venv is made from.
lock:
	LOCK_PYTHON="$(PYTHON)" bash scripts/lock.sh requirements.in requirements-dev.txt 3.12
	$(foreach v,$(COMPAT),bash scripts/lock.sh requirements-compat-$(v).in \
	  requirements-compat-$(v).txt $(COMPAT_PYTHON_$(v)) $(COMPAT_PYTHON_$(v)) && ) true

clean:
	rm -rf $(VENV) $(COMPAT:%=.venv-compat-%) $(COLL_ROOT) .pytest_cache .ansible docs/build build dist
