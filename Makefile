# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install system-deps sandbox-deps lab site clean

# Debian packages the sandbox (bubblewrap), the PostgreSQL tests and the browser tests (chromium) need; installed
# when run as root with apt, otherwise named so a person can install them (the tests that need them are skipped
# without them). Playwright drives this chromium; it never downloads a browser of its own.
system-deps:
	@missing=""; \
	command -v bwrap >/dev/null 2>&1 || missing="$$missing bubblewrap"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing"; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "note: install$$missing (Debian packages) for sandboxed grading, the PostgreSQL and the browser tests"; fi; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (mlip)" >/dev/null
	touch $(STAMP)

install: $(STAMP)

# the demo needs only the sandbox; the browser and database packages are for the tests
sandbox-deps:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing bubblewrap"; apt-get update -qq >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
	  else echo "note: without bubblewrap the demo grades its own notebooks unsandboxed"; fi; }

demo: $(STAMP) sandbox-deps
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/mlip demo --dir build/demo-course

# JupyterLab for students: the course's environment and kernel ("Python 3 (mlip)"), notebooks/ open, and the
# settings in etc/jupyter/ (nbgrader's own Lab panels and JupyterLab's news off). Extra options: make lab LAB_ARGS=...
lab: $(STAMP)
	JUPYTER_CONFIG_PATH="$(CURDIR)/etc/jupyter" PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab \
	  --ServerApp.root_dir="$(CURDIR)/notebooks" $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS)

# The lectures as a static site in build/site/ (open build/site/index.html, or serve the folder): each lecture run
# with `mlip run` and its default parameters, in parallel; a lecture whose notebook, parameters and helper code are
# unchanged comes from build/site-cache/ and is not run again. Nothing is fetched while building or reading.
# Extra options: make site SITE_ARGS="--jobs 4" (python -m website --help).
site: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m website $(SITE_ARGS)

test: $(STAMP) system-deps
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest

clean:
	rm -rf build .pytest_cache
