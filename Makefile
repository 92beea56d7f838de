# VistterStream — the two commands that matter:
#   make demo   set up, build, run the appliance with two simulated cameras and a program on
#               them; the console on http://127.0.0.1:8080
#   make test   set up, then every check and test (what CI runs)

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: setup openapi ui screenshots build demo test lint fmt unit bench clean

setup:
	./scripts/setup.sh

# The console's copy of the API document (a unit test fails when it is stale).
openapi:
	$(CARGO) run -q --locked -- openapi > web/openapi.json.new && mv web/openapi.json.new web/openapi.json

# The console (web/): typed API client generated from web/openapi.json, type-checked, built
# into web/dist, which the release binary embeds.
ui: setup
	cd web && npm run build

# The operator guide's screenshots, taken by the console's browser test (never by hand).
screenshots: setup ui
	SCREENSHOT_DIR=docs/screenshots $(CARGO) test --locked --test console_program -- an_operator_runs_a_program
	SCREENSHOT_DIR=docs/screenshots $(CARGO) test --locked --test console_timelines

build: setup ui
	$(CARGO) build --release --workspace --locked

demo: build
	./scripts/demo.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

test: setup ui lint
	$(CARGO) test --workspace --locked

bench: build
	./benches/ingest.sh
	OVERLAY=1 ./benches/output.sh
	python3 benches/ptz.py
	./benches/preview.sh
	./benches/timelines.sh

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
