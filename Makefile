# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test fuzz lint format openapi client sandbox migrate bench-sandbox bench-fetch bench-sync bench-filters bench-webhooks bench-api clean

# The partner client is installed editable: `make client` rewrites it without a reinstall (its
# dependencies change only with the generator's version, which is in constraints.txt).
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,sandbox]' -e clients/python
	touch $(STAMP)

install: $(STAMP)

.env: | $(STAMP)
	$(BIN)/python scripts/init_env.py

## API (:8000) + worker + Intercom sandbox (:8010) with demo data; Ctrl-C stops everything.
run: install
	$(BIN)/python scripts/init_env.py
	$(BIN)/python scripts/run_dev.py

## The whole test suite against the local PostgreSQL and Redis, or embedded ones where those
## do not answer (scripts/local_services.py).
TEST_ADMIN_DATABASE_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
WITH_TEST_SERVICES = $(BIN)/python scripts/local_services.py \
	  --database-url "$(TEST_ADMIN_DATABASE_URL)" --database-env TEST_ADMIN_DATABASE_URL \
	  --redis-url "$(TEST_REDIS_URL)" --redis-env TEST_REDIS_URL --
test: install
	$(WITH_TEST_SERVICES) $(BIN)/pytest $(PYTEST_ARGS)

## Schemathesis over openapi.yaml against the running service, longer than `make test` runs it:
## a new seed each run, fuzzing and stateful testing repeated for FUZZ_MAX_TIME seconds.
FUZZ_MAX_TIME ?= 600
FUZZ_MAX_EXAMPLES ?= 200
FUZZ_SEED ?= random
fuzz: install
	FUZZ_SEED=$(FUZZ_SEED) FUZZ_MAX_TIME=$(FUZZ_MAX_TIME) FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES) \
	  $(WITH_TEST_SERVICES) $(BIN)/pytest tests/test_api_fuzz.py $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile
	$(BIN)/python scripts/check_compose.py

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Regenerates openapi.yaml from the app (a test fails when the committed file is stale).
openapi: install
	$(BIN)/intercom-sync openapi --output openapi.yaml

## Regenerates the partner client in clients/python from openapi.yaml (a test fails when it is
## stale); run it after `make openapi`.
client: install
	$(BIN)/python scripts/generate_client.py

## The Intercom sandbox alone, on :8010 with the demo data.
sandbox: install
	$(BIN)/python -m intercom_sandbox --port 8010 --seed 1 --contacts 2000

## The sandbox serves >= 200 pages of 150 contacts per second on one core.
bench-sandbox: install
	$(BIN)/python -m bench.sandbox_speed

## This client vs. the sequential walk, use of a rate budget, and memory (100,000 contacts).
bench-fetch: install
	$(BIN)/python -m bench.fetch

## A Users sync of 100,000 contacts end to end through the worker vs. a sequential sync (4-5 min).
bench-sync: install
	$(BIN)/python -m bench.sync

## A filtered Users read, filters pushed into the search vs. evaluated here only; preview latency (1 min).
bench-filters: install
	$(BIN)/python -m bench.filters

bench-webhooks: install
	$(BIN)/python -m bench.webhooks

## Authenticated list endpoints against /readyz under wrk (needs wrk: apt-get install wrk).
bench-api: install
	$(BIN)/python -m bench.api

migrate: install .env
	$(BIN)/intercom-sync migrate

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
