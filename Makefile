# The two commands a newcomer needs: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CATALOGS := locales/id/LC_MESSAGES/messages.po locales/en/LC_MESSAGES/messages.po

.PHONY: run test lint setup db catalogs bench clean

run: db
	$(BIN)/tabe chat

test: lint
	$(BIN)/python -m pytest

# Unused names, import order, likely bugs: the house rules a tool can check.
lint: setup
	$(BIN)/ruff check bot flows store tests bench

setup: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The local registry: migrated, with sample owners the first time.
db: setup
	$(BIN)/tabe db upgrade
	$(BIN)/tabe db seed --if-empty

# After changing any user-facing text: extract it, merge it into both catalogs, compile them.
# Then translate the new Indonesian entries (the tests fail while any is missing or fuzzy).
catalogs: setup
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --no-wrap \
		--project "TABE bot" -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching \
		--ignore-obsolete --no-wrap
	$(BIN)/pybabel compile -d locales -D messages

bench: setup
	$(BIN)/python bench/flow.py

clean:
	rm -rf $(VENV) tabe.sqlite3 tabe.sqlite3-*
