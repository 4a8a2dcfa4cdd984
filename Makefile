# ungcuu - the two commands a new machine needs are `make run` and `make check`.
# Meson + ninja do the building; this file installs what is missing, wires
# the web UI, the demo district and the test suites together.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
BIN        := $(BUILD)/ungcuu
VAR        ?= var
LISTEN     ?= 127.0.0.1:8080
FUZZ_SECONDS ?= 20

# Debian packages: to build, and to run every test suite.
BUILD_PKGS := meson ninja-build pkg-config gcc libmicrohttpd-dev libjansson-dev \
	libsqlite3-dev libpq-dev libsodium-dev libssl-dev libcurl4-openssl-dev libinih-dev zlib1g-dev \
	libxml2-dev libyara-dev libidn2-dev librpm-dev liboath-dev \
	libcairo2-dev libpango1.0-dev libzip-dev libxlsxwriter-dev fonts-noto-core \
	libgmime-3.0-dev
# To build the Debian packages (make deb; the test in tests/pkg/deb.sh).
DEB_PKGS   := debhelper dpkg-dev fakeroot lintian
# PostgreSQL for `make check` and `make check-pg` (the server, contrib's unaccent, psql).
PG_PKGS    := postgresql-15 postgresql-client-15 libpq-dev
# Several nodes behind a balancer, and the Patroni switchover: make
# demo-cluster and tests/cluster/ (make check runs them).
CLUSTER_PKGS := haproxy patroni etcd-server
# make bench's PostgreSQL part (tests/bench/pg.sh): the cluster and HAProxy.
BENCH_PKGS := $(PG_PKGS) haproxy
TEST_PKGS  := python3-aiosmtpd clang libclang-rt-14-dev libcmocka-dev sqlite3 chromium fonts-noto-core wrk \
	curl yara rpm bc time poppler-utils libreoffice-writer-nogui strace \
	bsdutils

.PHONY: demo-cluster demo-cluster-down deps-cluster
.PHONY: all deps deps-test deps-deb deps-pg deps-bench build asan fuzz web web-deps e2e-deps tools-deps run demo demo-federation check check-pg bench deb clean distclean

all: build

deps:
	@tools/install-deps.sh $(BUILD_PKGS)

deps-test: deps
	@tools/install-deps.sh $(TEST_PKGS) $(DEB_PKGS)

deps-pg:
	@tools/install-deps.sh $(PG_PKGS)

deps-cluster: deps-pg
	@tools/install-deps.sh $(CLUSTER_PKGS)

deps-deb: deps
	@tools/install-deps.sh $(DEB_PKGS)

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: deps $(BUILD)/build.ninja
	@ninja -C $(BUILD)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

asan: deps-test $(ASAN_BUILD)/build.ninja
	@ninja -C $(ASAN_BUILD)

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) --buildtype=debugoptimized -Dfuzz=true -Db_lundef=false

fuzz: deps-test $(FUZZ_BUILD)/build.ninja
	@ninja -C $(FUZZ_BUILD)

# The web UI: npm only for the UI and its tests (packages pinned by the lock files).
web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

web/dist/index.html: web/node_modules/.package-lock.json $(shell find web/src web/index.html web/public -type f 2>/dev/null) web/vite.config.ts
	cd web && npm run --silent build

web: web/dist/index.html

tests/e2e/node_modules/.package-lock.json: tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error

e2e-deps: tests/e2e/node_modules/.package-lock.json

# Outside validators of the exports (ajv + ajv-formats for the OASIS STIX
# 2.1 schemas), used by the API tests.
tests/tools/node_modules/.package-lock.json: tests/tools/package-lock.json
	cd tests/tools && npm ci --no-audit --no-fund --loglevel=error

tools-deps: tests/tools/node_modules/.package-lock.json

# A demo district in var/ when it is empty; its logins are kept in
# var/demo-logins.json (readable by its owner only) and printed at each start.
$(VAR)/ungcuu.db:
	@mkdir -p $(VAR)
	@umask 077 && $(BIN) demo --db $@ --json > $(VAR)/demo-logins.json

demo: build $(VAR)/ungcuu.db

run: build web demo
	@node tools/print-logins.mjs $(VAR)/demo-logins.json http://$(LISTEN)
	exec $(BIN) serve --db $(VAR)/ungcuu.db --listen $(LISTEN) --web web/dist

# Every suite: unit (cmocka, under ASan+UBSan), API (node --test against the
# ASan server) on SQLite and again on a throwaway PostgreSQL 15 (api-pg),
# browser (playwright-core + Debian's chromium), fuzz smoke (libFuzzer,
# clang). Ends with one line: N passed, N failed.
check: deps-test deps-pg deps-cluster build asan fuzz web e2e-deps tools-deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/run-all.sh $(ASAN_BUILD) $(FUZZ_BUILD) $(BUILD)

# The API suite once more, on PostgreSQL: a throwaway cluster (initdb +
# pg_ctl in a temporary directory, loopback port, as the postgres user when
# run as root), every server on a database of its own, the cluster removed
# at the end (`make check` runs it too, as its api-pg section).
# PG_TESTS=tests/api/x.test.mjs runs some files only.
check-pg: deps-pg deps-test asan web tools-deps
	@tests/run-pg.sh $(ASAN_BUILD) $(PG_TESTS)

# Side by side with the references: the server against a bare libmicrohttpd
# (wrk), HTTPS against HTTP and the login gate under a flood, the matcher
# against its target, the sweep against yara, sha256sum and grep -F; the
# time of the largest hunt upload (100,000 hits); the queue's reads at
# 100,000 incidents beside 1,000 (the fixtures are built once and cached in
# build-release/bench-queue-*.db); the annual report for 50 organisations
# and 10,000 incidents and a Mẫu 05 PDF (tests/bench/reports.mjs); syslog
# intake: lines/s parsed and matched against 100,000 indicators on one core,
# and through the UDP listener (tests/bench/syslog.sh); SQLite, PostgreSQL
# and two nodes behind HAProxy side by side, the queue at 1,000,000
# incidents and the matcher at 10,000 hosts on PostgreSQL (tests/bench/pg.sh).
bench: deps-test deps-bench build web
	@tests/bench/run.sh
	@echo
	@tests/bench/limits.sh build-release/ungcuu
	@echo
	@tests/bench/match.sh build-release/ungcuu
	@echo
	@UNGCUU_BIN=build-release/ungcuu node tests/bench/hunt_upload.mjs
	@echo
	@UNGCUU_BIN=build-release/ungcuu node tests/bench/queue.mjs
	@echo
	@UNGCUU_BIN=build-release/ungcuu node tests/bench/reports.mjs
	@echo
	@UNGCUU_BIN=build-release/ungcuu node tests/bench/notify.mjs
	@if [ -x tests/bench/sweep.sh ]; then echo; tests/bench/sweep.sh build-release/ungcuu; fi
	@echo; tests/bench/doc.sh build-release/ungcuu
	@echo; tests/bench/syslog.sh build-release/ungcuu
	@echo; tests/bench/sync.sh build-release/ungcuu
	@echo; tests/bench/pg.sh build-release/ungcuu

deps-bench:
	@tools/install-deps.sh $(BENCH_PKGS)

# Three instances of the hierarchy (national, province, district), each its
# own database under $(VAR)/federation/ and port 8281-8283, peers registered
# both ways, the sync loop running: escalate in one tab, answer in another.
demo-federation: build web
	@FED_DIR=$(VAR)/federation tools/demo-federation.sh $(BIN)

# Several nodes on this machine, loopback only (docs/CLUSTER.md): PostgreSQL
# 15 in a temporary directory on a free port, the demo district in it, two
# `serve` nodes and HAProxy in front; prints the URL, Ctrl-C removes it all.
# demo-cluster-down stops what a killed run left.
demo-cluster: deps-cluster build web
	@tools/demo-cluster.sh up $(BIN)

demo-cluster-down:
	@tools/demo-cluster.sh down

# The Debian packages ungcuu and ungcuu-agent (version: debian/changelog),
# built by dpkg-buildpackage from a clean copy of the tree, into dist/;
# then lintian on both.
deb: deps-deb
	@tools/build-deb.sh dist
	@lintian --info dist/ungcuu_*.deb dist/ungcuu-agent_*.deb || true

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) build-release web/dist dist

distclean: clean
	rm -rf web/node_modules tests/e2e/node_modules
