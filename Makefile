# The two commands: `make up` (run the platform) and `make test` (run every suite).
# Both install what is missing first: uv, the Python workspace, Kafka, FerretDB, MinIO.

PYTHON ?= python3
UV := $(PYTHON) -m uv
STACK := $(PYTHON) deploy/local/stack.py

.PHONY: help deps up down test web test-faults test-unit lint bench soak reset topics token

help:
	@echo "make up      install what's missing, start infrastructure + services, seed a demo"
	@echo "make test    install what's missing and run the whole suite on real infrastructure"
	@echo "make down    stop services and infrastructure (data kept);  make reset  wipes data"
	@echo "make lint    ruff + mypy;  make bench  benchmarks;  make token  mint a dev token"
	@echo "make soak    faults on repeat under load for ~10 min (SOAK_MINUTES), figures to bench/results"

deps:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	@$(UV) sync --locked --all-packages --quiet
	@$(STACK) install

up: deps
	@$(UV) run --locked python deploy/local/up.py

down:
	@$(STACK) stop

reset:
	@$(STACK) reset

test: deps web
	@WEB_PREBUILT=1 $(UV) run --locked pytest

# tests/faults alone (also part of `make test`): the bounded fault run and the isolation matrix.
test-faults: deps
	@$(UV) run --locked pytest tests/faults

# The web app is built before pytest starts: `npm ci` and the build take minutes on a cold
# machine, longer than one test's timeout; the browser suite reuses this build.
web:
	@cd web && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && PYTHON=$(CURDIR)/.venv/bin/python npm run build --silent

test-unit:
	@$(UV) run --locked pytest chassis/tests contracts/tests services -q

lint:
	@$(UV) run --locked ruff check .
	@cd web && npm run --silent lint && npm run --silent typecheck
	@$(UV) run --locked ruff format --check .
	@$(UV) run --locked mypy -p chassis -p mentorship_contracts -p profiles -p matching -p messaging -p documents -p scheduling -p insights -p knowledge

bench: deps
	@$(UV) run --locked python bench/run.py

soak: deps
	@$(UV) run --locked python tests/faults/soak.py --minutes $${SOAK_MINUTES:-10}

topics:
	@$(UV) run --locked python -m chassis.topics_cli create

token:
	@$(UV) run --locked mint-token --user $${USER_ID:-demo-admin} --tenant $${TENANT:-demo} --roles $${ROLES:-org_admin,member}
