# Login Appliance — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PREFIX ?= /usr/local
# The Swift runtime and Foundation linked in: measured 20 % more requests per second, 6 MB less resident memory and
# fewer libraries to load at start than with the shared ones. Each function in a section of its own lets the linker
# put the ones a server runs together (linking/symbol-order.txt, see Package.swift).
SWIFT_FLAGS ?= -c release --static-swift-stdlib -Xswiftc -Xfrontend -Xswiftc -function-sections
BIN := .build/release/appliance
VENV := .build/e2e-venv

.PHONY: run test build deps test-deps lint unit e2e bench fuzz symbol-order install clean

run: deps build
	scripts/run-dev.sh

# SwiftPM does not know that the link reads linking/symbol-order.txt: a newer list means a new link.
build:
	@if [ linking/symbol-order.txt -nt $(BIN) ]; then rm -f $(BIN); fi
	swift build $(SWIFT_FLAGS) --product appliance

deps:
	scripts/install-deps.sh

test-deps:
	scripts/install-deps.sh --test
	@test -x $(VENV)/bin/pytest || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r Tests/e2e/requirements.txt

test: test-deps lint build unit e2e

lint:
	swift format lint --strict --recursive Sources Tests Fuzz Package.swift

# The venv comes first on PATH so that tests which start Python helpers (the SMTP sink) find aiosmtpd.
unit:
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" swift test

e2e:
	APPLIANCE_BIN=$(CURDIR)/$(BIN) $(VENV)/bin/pytest -q Tests/e2e

bench: test-deps
	swift build $(SWIFT_FLAGS) --product appliance
	swift build $(SWIFT_FLAGS) --product fcgi-ceiling
	$(VENV)/bin/python bench/run.py

fuzz: deps
	scripts/fuzz.sh

# Records which functions a running server uses (valgrind) into linking/symbol-order.txt; see that script.
symbol-order: test-deps build
	scripts/install-deps.sh --profile
	$(VENV)/bin/python scripts/symbol-order.py

install: deps build
	scripts/install.sh "$(PREFIX)"

clean:
	rm -rf .build
