# make run: set everything up, fill an empty store with demo data, serve on :5000
# make test: set everything up, type-check the packages (mypy, as setup.cfg's [mypy] says), then
#   run the whole suite (browser and PostgreSQL included) on pytest-xdist workers as setup.cfg's
#   addopts say (`-m "not slow"` for the quick loop)
# make attack: the long attack runs (schemathesis 200 examples a role, 30 SIGKILLs, more concurrent writes)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export BETROKKEN_DATA_DIR ?= $(CURDIR)/instance

.PHONY: run test attack install catalogues chromium bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) catalogues

# The UI's compiled catalogues (committed, installed with the package; the app never writes them).
catalogues: $(STAMP)
	$(BIN)/python -c 'from web.i18n import compile_catalogues; compile_catalogues()'

chromium:
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || \
	  (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium); }

run: install
	$(BIN)/betrokken demo --if-empty
	$(BIN)/betrokken serve --host 127.0.0.1 --port 5000

test: install chromium
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -q

attack: install
	ATTACK_LONG=1 SCHEMATHESIS_MAX_EXAMPLES=$${SCHEMATHESIS_MAX_EXAMPLES:-200} $(BIN)/python -m pytest tests/attack -q -s -n 0 --basetemp=$${TMPDIR:-/tmp}/betrokken-attack

bench: install
	$(BIN)/python benchmarks/commands.py
	$(BIN)/python benchmarks/rebuild.py --events 1000000
	$(BIN)/python benchmarks/lists.py
	$(BIN)/python benchmarks/read_log.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache
