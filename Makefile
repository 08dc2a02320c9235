# The two commands a newcomer needs: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CATALOGS := locales/id/LC_MESSAGES/messages.po locales/en/LC_MESSAGES/messages.po

.PHONY: run chat test clocks lint setup browser postgres db catalogs bench clean

# The server with every channel whose settings are there; with none, the browser chat at the printed address.
run: db
	$(BIN)/tabe serve

# The same conversation in this terminal.
chat: db
	$(BIN)/tabe chat

# Every test on SQLite, and those of the registry again on a PostgreSQL server the tests start themselves;
# then the tests whose answers carry the day's date again, under other clocks.
test: lint browser postgres
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory clocks

# The transcripts and the channels' tests under clocks that catch dates out: a month's end, a leap day, and
# New Year's Eve at 23.30 WIB (their start moves; see tests/transcript.py). SQLite is enough to see the dates.
CLOCKS := 2027-01-31T09:00:00+00:00 2028-02-29T03:00:00+00:00 2026-12-31T16:30:00+00:00
DATED_TESTS := tests/test_transcripts.py tests/test_app.py tests/test_whatsapp.py tests/test_telegram.py \
	tests/test_browser.py tests/test_mailbox.py

clocks: setup
	@for clock in $(CLOCKS); do \
		echo "the dated tests with the clock at $$clock"; \
		TABE_TEST_CLOCK=$$clock $(BIN)/python -m pytest -q -k "not postgresql" $(DATED_TESTS) || exit 1; \
	done

# Unused names, import order, likely bugs, and the rooms' imports running one way (pyproject.toml's
# [tool.importlinter]): the house rules a tool can check.
lint: setup
	$(BIN)/ruff check bot dashboard flows store domain tests bench
	$(BIN)/lint-imports --no-cache

setup: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The browser tests drive Debian's chromium through its chromedriver, so install both where either is
# missing: as root, or through sudo when it asks no password. `install` comes first, as a fresh machine's
# empty package lists are the only reason to wait for an `update`. Where neither works (no apt, no rights,
# no network) the tests still run: the browser ones skip and say why.
APT_GET := env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300
BROWSER_PACKAGES := chromium chromium-driver

browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then as_root=; else as_root="sudo -n"; fi; \
		echo "installing $(BROWSER_PACKAGES) for the browser tests (a few minutes, once)"; \
		command -v apt-get >/dev/null && { \
			$$as_root $(APT_GET) install $(BROWSER_PACKAGES) >/dev/null 2>&1 || { \
				$$as_root $(APT_GET) update >/dev/null 2>&1 && \
				$$as_root $(APT_GET) install $(BROWSER_PACKAGES) >/dev/null 2>&1; }; \
		} || echo "chromium could not be installed: the browser tests will be skipped"; }

# The PostgreSQL tests start a throwaway server of their own (tests/conftest.py) from Debian's postgresql
# binaries: installed here where they are missing, as the browser is. The package would also start the
# system's own server; a policy-rc.d that forbids it (unless the machine has one already) keeps it stopped.
POSTGRES_FOUND := command -v postgres >/dev/null || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1

postgres:
	@$(POSTGRES_FOUND) || { \
		if [ "$$(id -u)" = 0 ]; then as_root=; else as_root="sudo -n"; fi; \
		echo "installing postgresql for the PostgreSQL tests (a few minutes, once)"; \
		command -v apt-get >/dev/null && $$as_root sh -c ' \
			policy=/usr/sbin/policy-rc.d; made=; \
			[ -e $$policy ] || { printf "#!/bin/sh\nexit 101\n" >$$policy && chmod +x $$policy && made=1; }; \
			$(APT_GET) install postgresql >/dev/null 2>&1 || { \
				$(APT_GET) update >/dev/null 2>&1 && $(APT_GET) install postgresql >/dev/null 2>&1; }; \
			installed=$$?; [ -z "$$made" ] || rm -f $$policy; exit $$installed' \
		|| echo "postgresql could not be installed: the PostgreSQL tests will be skipped"; }

# The local registry: migrated, with the sample programmes (importing them again changes nothing)
# and sample owners the first time.
db: setup
	$(BIN)/tabe db upgrade
	$(BIN)/tabe programs import bot/sample_programmes.yaml
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
	$(BIN)/python bench/webhook.py
	$(BIN)/python bench/programmes.py
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/dashboard.py

clean:
	rm -rf $(VENV) tabe.sqlite3 tabe.sqlite3-*
