# The two commands a new user needs: `make run` and `make test`. Both install what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help run train widget browser test test-backend test-bot test-assistant test-e2e backend-env bot-env postgres lock seed migrate lint

BACKEND_PY := .venv/backend/bin/python
BOT_PY := .venv/bot/bin/python
HOST ?= 127.0.0.1
BACKEND_PORT ?= 8000
# Rasa reports usage telemetry by default: nothing this project starts sends anything anywhere.
export RASA_TELEMETRY_ENABLED := false
# As root the test set-up installs PostgreSQL itself, so its half of the tests must not be skipped.
REQUIRE_PG ?= $(shell [ "$$(id -u)" = 0 ] && echo 1 || echo 0)

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

backend-env: ## Make or reuse the backend virtual environment (FastAPI, SQLAlchemy 2)
	@scripts/venv.sh backend requirements/backend.lock

bot-env: ## Make or reuse the bot runtime virtual environment (Rasa 3.6.21, rasa-sdk, spaCy)
	@scripts/venv.sh bot requirements/bot.lock

postgres: ## Install PostgreSQL from Debian packages if missing (the tests start their own cluster)
	@scripts/ensure-postgres.sh

migrate: backend-env ## Bring the database to the latest migration
	@$(BACKEND_PY) -m backend.cli migrate

seed: backend-env ## Create the demo organisations and accounts in an empty database
	@$(BACKEND_PY) -m backend.cli seed

widget: ## Build the web chat widget (npm packages from web/package-lock.json)
	@scripts/ensure-browser.sh --widget-only

browser: ## Chromium for the browser tests, and the widget
	@scripts/ensure-browser.sh

run: backend-env bot-env widget ## Run the whole system on embedded defaults (SQLite, in-memory stores)
	@HOST=$(HOST) BACKEND_PORT=$(BACKEND_PORT) scripts/run.sh

train: bot-env ## Train the assistant's model (reused while its inputs are unchanged)
	@scripts/train.sh

test: backend-env bot-env postgres redis docker-compose browser ## Install what is missing and run every test (lint included)
	@scripts/test.sh

lint: backend-env ## ruff and mypy (configured in pyproject.toml)
	@.venv/backend/bin/ruff check .
	@.venv/backend/bin/mypy

test-backend:
	LFPSE_REQUIRE_POSTGRES=$(REQUIRE_PG) $(BACKEND_PY) -m pytest tests/backend tests/repo

test-bot:
	$(BOT_PY) -m pytest -p no:cacheprovider -W ignore::DeprecationWarning tests/bot

test-assistant: ## Validate the training data, train (or reuse) the model, run the story tests
	@scripts/test-assistant.sh

test-e2e: ## The whole system as real processes: every channel, the web pages in Chromium, production mode, resilience
	LFPSE_REQUIRE_POSTGRES=$(REQUIRE_PG) $(BACKEND_PY) -m pytest -p no:cacheprovider tests/e2e

lock: ## Re-resolve the locked dependency versions (needs pip-tools; see the lock headers)
	@scripts/lock.sh

.PHONY: generate nlu-eval
generate: backend-env ## Regenerate the NLU synonym and lookup files from the question plan and taxonomy
	$(BACKEND_PY) scripts/generate_nlu.py

nlu-eval: bot-env ## Train NLU on a fixed 80% split of nlu_data/ and report intent and entity scores
	@scripts/nlu_eval.sh

.PHONY: narrative-eval
narrative-eval: backend-env ## Every narrative field scored on the held-out development set (per field P/R/accuracy, event-type confusion, time per analysis)
	$(BACKEND_PY) -m backend.narrative.evaluate

.PHONY: redaction-eval
redaction-eval: backend-env ## Redaction recall on ~2,700 generated identifier variants, false positives on clinical text
	$(BACKEND_PY) -m backend.identifiers.evaluate $(ARGS)

.PHONY: bench-dashboard
bench-dashboard: backend-env postgres ## Dashboard queries on 1,000,000 synthetic records, SQLite and PostgreSQL (ARGS="--records N --keep")
	$(BACKEND_PY) scripts/bench_dashboard.py $(ARGS)

.PHONY: bench-turns
bench-turns: backend-env bot-env postgres redis ## Turn throughput at 1/10/50/200 conversations, then latency at 50 offering 60 turns/s (ARGS="--production --rasa-workers 2")
	$(BACKEND_PY) scripts/bench_turns.py $(ARGS)

.PHONY: run-production redis docker-compose
redis: ## Install Redis from Debian packages if missing (production mode and its tests start their own)
	@scripts/ensure-redis.sh

docker-compose: ## Install docker-compose (Debian) if missing: tests/repo checks docker-compose.yml offline
	@scripts/ensure-docker-compose.sh

run-production: backend-env bot-env widget postgres redis ## The docker-compose stack without Docker: PostgreSQL, Redis, ENVIRONMENT=production
	@HOST=$(HOST) BACKEND_PORT=$(BACKEND_PORT) scripts/run-production.sh

.PHONY: reply-eval danger-eval
reply-eval: backend-env ## Reply interpreter on held-out short answers: right value stored per kind of question
	$(BACKEND_PY) -m backend.interpret.evaluate

danger-eval: bot-env ## Danger-now detector on its own set of emergencies and near misses: precision and recall
	$(BOT_PY) scripts/danger_eval.py
