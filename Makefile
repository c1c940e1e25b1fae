# Two commands for a new user: `make lab` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test test-localstack test-hub dashboard serve doctor clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# No news pop-up and no update check: both ask the internet, and a room is often offline.
LAB_QUIET = --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate

lab: $(STAMP)  ## open JupyterLab on notebooks/ (only on 127.0.0.1)
	$(BIN)/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=notebooks $(LAB_QUIET) $(if $(filter 0,$(shell id -u)),--allow-root)

test: $(STAMP)  ## every test, nbval over notebooks/ included
	$(BIN)/python -m pytest tests notebooks --nbval -rs

# The backend-neutral tests on LocalStack's control plane (its own venv, 127.0.0.1, stopped after); they
# include every notebook, run twice in one kernel (tests/test_notebooks_rerun.py).
test-localstack: $(STAMP)  ## every notebook and the backend-neutral tests against LocalStack
	$(BIN)/python tools/localstack.py run -- $(BIN)/python -m pytest -rs -m backend_neutral tests

# Three learners on a real JupyterHub on 127.0.0.1 (tests/hub): the hub and configurable-http-proxy (npm)
# in .hub/, the learners' environment built from binder/ as repo2docker would (tools/user_env.py).
HUB_CHP      := .hub/node_modules/.bin/configurable-http-proxy
HUB_USER_ENV := .hub/user-env

$(HUB_CHP):
	npm install --silent --no-audit --no-fund --prefix .hub configurable-http-proxy@5

test-hub: $(STAMP) $(HUB_CHP)  ## three learners run notebook 05, a slider and lab.serve() through a local JupyterHub
	$(BIN)/python -m pip install --quiet -e '.[hub]'
	$(BIN)/python tools/user_env.py build $(HUB_USER_ENV) >/dev/null
	LABKIT_HUB_TEST=1 LABKIT_HUB_PYTHON=$(CURDIR)/$(HUB_USER_ENV)/bin/python $(BIN)/python -m pytest -rs tests/hub

# The kit's Voilà templates (dashboards/jupyter/voila/templates): offline (no CDN), and a projector variant.
VOILA = JUPYTER_PATH="$(CURDIR)/dashboards/jupyter" $(BIN)/voila dashboards/labs.ipynb --no-browser --Voila.ip=127.0.0.1

dashboard: $(STAMP)  ## the throttling and cache labs as a Voilà page (only on 127.0.0.1, works offline)
	$(VOILA) --template=labkit

projector: $(STAMP)  ## the same page with larger controls and text, for a projector
	$(VOILA) --template=labkit-projector

serve: $(STAMP)  ## the local gateway over HTTP on 127.0.0.1
	$(BIN)/python -m labkit serve

doctor: $(STAMP)
	$(BIN)/python -m labkit doctor

clean:
	rm -rf $(VENV)
