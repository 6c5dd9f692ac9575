# touchpoint — every target is a line or two. `make test` is what CI runs.
GO       ?= go
# A count of executions, not a duration: with a duration, go1.26's fuzz
# coordinator can fail a run at its deadline with "context deadline
# exceeded" although nothing was found (a race reported upstream as
# go.dev/issue/75804; seen here twice on 2026-12-04). A count has no
# deadline; a slow machine only takes longer.
FUZZTIME ?= 30000x
PKGS     := ./...

.PHONY: run test test-pg e2e fuzz lint bench build eval

run:            ## the demo on http://127.0.0.1:8080
	$(GO) run ./cmd/touchpoint demo

test: lint      ## lint, then every test (PostgreSQL too when TOUCHPOINT_TEST_POSTGRES is set)
	$(GO) test -count=1 -timeout 20m $(PKGS)

test-pg:        ## the store's tests on a throw-away local PostgreSQL
	eval "$$(.ci/start-postgres)" && $(GO) test -count=1 ./internal/sqldb/... ./internal/web/... ; s=$$?; \
	  runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$$PGDATA_DIR/data" stop -m fast >/dev/null; exit $$s

e2e:            ## browser and SDK tests (need chromium, node, npm)
	TOUCHPOINT_E2E_REQUIRED=1 TOUCHPOINT_SDK_REQUIRED=1 $(GO) test -count=1 -v ./e2e

fuzz:           ## each fuzz target for FUZZTIME (tracking JSON, customers CSV, survey answers, mail, redirects, privacy bodies, X-Forwarded-For, text analysis, orders and order files, trainings, council forms)
	$(GO) test ./internal/track -run '^$$' -fuzz '^FuzzDecodeBatch$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/track -run '^$$' -fuzz '^FuzzDecodeCall$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/track -run '^$$' -fuzz '^FuzzParseTime$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/track -run '^$$' -fuzz '^FuzzReplay$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/track -run '^$$' -fuzz '^FuzzDecodeRaw$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/track -run '^$$' -fuzz '^FuzzJSONString$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/app -run '^$$' -fuzz '^FuzzCustomersCSV$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/web -run '^$$' -fuzz '^FuzzResponseForm$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/web -run '^$$' -fuzz '^FuzzResponseJSON$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/smtpd -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/web -run '^$$' -fuzz '^FuzzCockpitParams$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/web -run '^$$' -fuzz '^FuzzSafeNext$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/web -run '^$$' -fuzz '^FuzzAuditFilter$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/web -run '^$$' -fuzz '^FuzzPrivacyBodies$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/web -run '^$$' -fuzz '^FuzzClientIP$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/textan -run '^$$' -fuzz '^FuzzAnalyze$$' -fuzztime $(FUZZTIME)
	$(GO) test . -run '^$$' -fuzz '^FuzzParseOrder$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/app -run '^$$' -fuzz '^FuzzOrdersCSV$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/web -run '^$$' -fuzz '^FuzzTrainingInput$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/web -run '^$$' -fuzz '^FuzzCouncilForms$$' -fuzztime $(FUZZTIME)

lint:           ## gofmt, go vet, staticcheck
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "run gofmt -w"; exit 1; }
	$(GO) vet $(PKGS)
	$(GO) tool staticcheck $(PKGS)

bench:          ## ingestion over HTTP vs a raw INSERT baseline (SQLite; PostgreSQL with BENCH_PG=url)
	$(GO) run ./cmd/touchpoint bench ingest --events 200000
	@if [ -n "$$BENCH_PG" ]; then $(GO) run ./cmd/touchpoint bench ingest --events 200000 --db "$$BENCH_PG"; fi

eval:           ## text analytics, lifetime value and cross-sell figures on ../shared/data beside their baselines (DATA=dir to point elsewhere)
	$(GO) run ./cmd/touchpoint eval text --data $${DATA:-../shared/data}
	$(GO) run ./cmd/touchpoint eval clv --data $${DATA:-../shared/data}
	$(GO) run ./cmd/touchpoint eval crosssell --data $${DATA:-../shared/data}

build:          ## a static binary in ./bin
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X github.com/touchpoint-cx/touchpoint.Version=$$(git describe --always --dirty 2>/dev/null || echo dev)" -o bin/touchpoint ./cmd/touchpoint
