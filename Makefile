# Two commands for a fresh machine: `make run` (the app on SQLite with demo data) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-sqlite test-postgres install translations lint bench clean

run: install
	$(BIN)/flask --app app bwq init-db
	$(BIN)/flask --app app bwq seed-demo
	$(BIN)/flask --app app bwq serve --host $(HOST) --port $(PORT)

# The whole suite on SQLite, then on PostgreSQL ($(PG_TEST_URL): a fresh database is created and
# dropped). Without a PostgreSQL server the second run is skipped with its reason printed (in CI it fails).
# Each run is shared out to TEST_WORKERS pytest-xdist workers, each with its own database (SQLite file
# or PostgreSQL database), live server and ports: on 2 cores 2 workers halve the run (measured
# 5.3 -> 2.4-3.0 min SQLite, 7.0 -> 3.1-3.5 min PostgreSQL). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2

test: test-sqlite test-postgres

test-sqlite: install
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS)

test-postgres: install
	BWQ_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS)

install: $(STAMP) translations

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

translations: $(STAMP)
	@if [ -d bwq_lab/translations ]; then $(BIN)/pybabel -q compile -d bwq_lab/translations 2>/dev/null || $(BIN)/pybabel compile -d bwq_lab/translations; fi

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache
