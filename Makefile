# Two commands from a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test install catalogs bench worker clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "==> installing crossborder_crm and its pinned dependencies into $(VENV)"
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

catalogs: $(STAMP)
	@$(BIN)/crossborder-crm i18n compile >/dev/null

HOST ?= 127.0.0.1
PORT ?= 5000

run: catalogs
	@$(BIN)/crossborder-crm serve --host $(HOST) --port $(PORT)

worker: catalogs
	@# the dev worker signs unsubscribe links with the key `make run` made, unless one is given
	@CRM_SECRET_KEY="$${CRM_SECRET_KEY:-$$(cat instance/secret_key 2>/dev/null)}" $(BIN)/crossborder-crm worker

test: catalogs
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: catalogs
	@$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) instance test-output .pytest_cache
