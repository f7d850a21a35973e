# The two commands of the README: `make demo` and `make test`. Both install what they need
# into .venv first (Python 3.11 and Java 17 must be on the machine).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/c360 demo --lake lake

test: $(STAMP)
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) lake out
