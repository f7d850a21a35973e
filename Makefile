# The two commands of the README: `make demo` and `make test`. Both install what they need
# into .venv first (Python 3.11 and Java 17 must be on the machine).
# The first python3.11 that starts (on PATH, or pyenv's), else python3, whose version is checked
# before any venv is made: pyproject.toml pins Glue 5.0's Python.
ifndef PYTHON
PYTHON := $(or $(shell for p in python3.11 $$HOME/.pyenv/versions/3.11.*/bin/python3.11; do "$$p" -c "" 2>/dev/null && { command -v "$$p"; break; }; done),python3)
endif
CHECK_PYTHON = @$(PYTHON) -c 'import sys; sys.exit(None if sys.version_info[:2] == (3, 11) else "make: $(PYTHON) is Python %d.%d; this project needs 3.11 (Glue 5.0): make PYTHON=/path/to/python3.11 ..." % sys.version_info[:2])'
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: install tools demo test clean

# `make demo` installs what the CLI runs on; `make install` and `make test` add the dev extra
# (test and lint tools, moto, fakesnow). --no-compile: byte-compiling every module of every
# package was most of pip's time (installing the runtime: 70 s of 106 s on a busy 2-core
# machine), where Python compiles the modules a run imports on their first import (1-1.5 s).
$(STAMP): pyproject.toml
	$(CHECK_PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --no-compile --upgrade pip
	$(BIN)/pip install --quiet --no-compile -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install --quiet --no-compile -e '.[dev]'
	touch $(DEV_STAMP)

install: $(DEV_STAMP)

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
	$(CHECK_PYTHON)
	$(PYTHON) -m venv .venv-glue5
	.venv-glue5/bin/pip install --quiet --upgrade pip
	.venv-glue5/bin/pip install --quiet -r glue/glue5-runtime.txt
	.venv-glue5/bin/pip install --quiet --no-deps -e .
	touch $(GLUE5_STAMP)

# The validator Lambda runs on python$(LAMBDA_PYTHON_VERSION) (aws/template.yaml Runtime), which Lambda
# still creates functions on; the project runs on 3.11. Its tests also run on that Python, with what
# the Lambda has: the standard library, boto3 and the vendored msgspec and orjson pins (not the local lake and
# its CLI, which never run there). The first python$(LAMBDA_PYTHON_VERSION) that starts: on PATH, or pyenv's.
LAMBDA_PYTHON_VERSION := 3.13
LAMBDA_PYTHON ?= $(shell for p in python$(LAMBDA_PYTHON_VERSION) $$HOME/.pyenv/versions/$(LAMBDA_PYTHON_VERSION).*/bin/python$(LAMBDA_PYTHON_VERSION); do "$$p" -c "" 2>/dev/null && { command -v "$$p"; break; }; done)
LAMBDA_STAMP := .venv-lambda/.installed
$(LAMBDA_STAMP): pyproject.toml Makefile
	@test -n "$(LAMBDA_PYTHON)" || { echo "make: python$(LAMBDA_PYTHON_VERSION) not found (the validator Lambda's runtime): install it or set LAMBDA_PYTHON" >&2; exit 1; }
	$(LAMBDA_PYTHON) -m venv .venv-lambda
	.venv-lambda/bin/pip install --quiet "boto3>=1.34" "moto[s3,sns,sqs]>=5.2,<6" "pytest>=8" "hypothesis>=6.100" \
		"$$(grep -o 'msgspec==[0-9.]*' pyproject.toml)" "$$(grep -o 'orjson==[0-9.]*' pyproject.toml)"
	touch $(LAMBDA_STAMP)

demo: $(STAMP)
	$(BIN)/c360 demo --lake lake

test: $(DEV_STAMP) $(TOOLS_STAMP) $(GLUE5_STAMP) $(LAMBDA_STAMP)
	.venv-glue5/bin/pytest -q -p no:cacheprovider tests/spark
	PYTHONPATH=src .venv-lambda/bin/pytest -q -p no:cacheprovider tests/validator \
		--ignore=tests/validator/test_validator_local_lake.py --ignore=tests/validator/test_validator_job_a_agree.py
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) .venv-tools .venv-glue5 .venv-lambda lake out
