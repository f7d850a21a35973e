# The two commands of the README: `make demo` and `make test`. Both install what they need
# into .venv first (Python 3.11 and Java 17 must be on the machine).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install tools demo test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# checkov pins many packages that would fight snowflake-cli's exact pins: it gets its own venv.
TOOLS_STAMP := .venv-tools/.installed
$(TOOLS_STAMP):
	$(PYTHON) -m venv .venv-tools
	.venv-tools/bin/pip install --quiet checkov
	touch $(TOOLS_STAMP)

tools: $(TOOLS_STAMP)

demo: $(STAMP)
	$(BIN)/c360 demo --lake lake

test: $(STAMP) $(TOOLS_STAMP)
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) .venv-tools lake out
