# Методсеть: two commands do the whole set-up on a fresh machine.
#   make run   — virtualenv, install, migrate, demo network, portal + Celery worker with beat
#   make test  — the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp
AXE := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: install lock run test lint migrate demo check-deploy clean serve-prod worker beat bench-pdf bench

# constraints.txt pins every production dependency to the version tested (the dev tools float).
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# After a change of the dependencies in pyproject.toml: pin them again (the versions already pinned stay when
# they still fit; `make lock LOCK_ARGS=--upgrade` moves them all to the newest).
lock: install
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file constraints.txt pyproject.toml $(LOCK_ARGS)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo_network

# Every Celery queue (network/settings.py CELERY_QUEUE_NAMES; tests/test_queues.py keeps the two lists equal):
# one worker consumes all of them here; docker-compose.yml runs a worker per group of queues.
QUEUES := celery,mail,pdf,exports,monitoring,sweep

# The portal and a Celery worker with an embedded beat: Ctrl-C stops both.
run: demo
	@echo "Методсеть: http://127.0.0.1:$(PORT)/  (логины admin, reviewer, methodist, secretary, chair, teacher; пароль metodset-demo)"
	@trap 'kill $$(jobs -p) 2>/dev/null; wait' EXIT INT TERM; \
	$(BIN)/celery -A network worker --beat -Q $(QUEUES) --loglevel=INFO --concurrency=1 --hostname=metodset@%h & \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT) & \
	wait -n

# axe-core for the accessibility checks of the browser tests (test tooling only, never the product's runtime).
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	touch $(AXE)

test: install $(AXE)
	$(BIN)/python -m pytest -n auto --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The national-scale benchmark on the local PostgreSQL (BENCH_DATABASE_URL to point elsewhere):
# builds the synthetic networks once (one region of its own, then the national one — resumed where it
# stopped), measures the pages on both (a page whose query count differs between them is marked ✗),
# prints the table and writes docs/benchmarks.md;
# then the cost of a login (password hashing) and of 200 logins at once on two cores.
bench: install
	$(BIN)/python scripts/bench.py --size region --runs 5 --no-write
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)
	$(BIN)/python scripts/bench_login.py
	$(BIN)/python scripts/bench_mail.py
	$(BIN)/python scripts/bench_http.py

# How long a 100-item plan takes to print (a benchmark, not a test; a throw-away database).
bench-pdf: install
	$(BIN)/python scripts/bench_pdf.py

check-deploy: install
	PRODUCTION=1 SECRET_KEY=check-deploy-$$(date +%s)-a-long-enough-random-secret-key-value ALLOWED_HOSTS=metodset.example.ru \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var

# The production processes of docker-compose.yml, without Docker.
serve-prod: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn network.wsgi:application --bind 127.0.0.1:$(PORT) --workers 3 --access-logfile -

# All queues by default; `make worker QUEUES=exports` adds a worker for one queue (several may run at once).
worker: install
	$(BIN)/celery -A network worker -Q $(QUEUES) --loglevel=INFO --concurrency=2 --hostname=metodset-$$$$@%h

beat: install
	$(BIN)/celery -A network beat --loglevel=INFO --scheduler django_celery_beat.schedulers:DatabaseScheduler
