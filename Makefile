# Everyday commands. The two set-up commands of the README are ./run.sh and ./test.sh.
.PHONY: run test ci lint format types migrations demo worker bench

run:        ## install, migrate, demo data, worker + portal on http://127.0.0.1:8000
	./run.sh
test:       ## the whole test suite (SQLite unless DATABASE_URL is set)
	./test.sh
ci:         ## what CI runs: SQLite, PostgreSQL + Redis, browser tests, lint, types
	bash .ci/run
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .
types:
	.venv/bin/mypy .
migrations:
	.venv/bin/python manage.py makemigrations
demo:
	.venv/bin/python manage.py seed_demo
worker:     ## a Celery worker with embedded beat (Redis if REDIS_URL is set)
	.venv/bin/celery -A shuangyong worker --beat --pool=solo --loglevel=INFO
