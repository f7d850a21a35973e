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

# The Glue jobs' tests also run on Glue 5.0's own Spark and Python modules (glue/glue5-runtime.txt),
# in a venv of their own: the main venv follows snowflake-cli's pins and a newer Spark 3.5.
GLUE5_STAMP := .venv-glue5/.installed
$(GLUE5_STAMP): glue/glue5-runtime.txt pyproject.toml
	$(PYTHON) -m venv .venv-glue5
	.venv-glue5/bin/pip install --quiet --upgrade pip
	.venv-glue5/bin/pip install --quiet -r glue/glue5-runtime.txt
	.venv-glue5/bin/pip install --quiet --no-deps -e .
	touch $(GLUE5_STAMP)

demo: $(STAMP)
	$(BIN)/c360 demo --lake lake

test: $(STAMP) $(TOOLS_STAMP) $(GLUE5_STAMP)
	.venv-glue5/bin/pytest -q -p no:cacheprovider tests/spark
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) .venv-tools .venv-glue5 lake out
