# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The embedded default turns DEBUG on explicitly (the settings default to off, as production).
export DEBUG ?= True

.PHONY: run test venv lint format messages bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV) || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && \
		rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	@# python-ldap (LDAP sign-in) builds against OpenLDAP's headers.
	@dpkg -s libldap2-dev libsasl2-dev >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		libldap2-dev libsasl2-dev >/dev/null; } || true
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

## Run the portal on the embedded default (SQLite, file broker, e-mail to files under var/).
run: venv
	$(PY) manage.py runportal

## Lint, then the whole suite (browser tests included) on PostgreSQL and Redis.
test: venv
	bash scripts/test.sh

lint: venv
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

## Rebuild the Vietnamese catalogue after changing translatable text.
messages: venv
	$(PY) scripts/messages.py

## The benchmarks (bench/run.py); a subset: make bench BENCH="pages memory"
bench: venv
	bash scripts/bench.sh $(BENCH)

clean:
	rm -rf $(VENV) var/* staticfiles
