# Build, test, run and package the Swift haproxy.
SWIFT ?= /opt/swift/usr/bin/swift
# Release: Swift runtime linked statically so the .deb depends on Debian
# libraries only, optimized for speed (-O: a keep-alive request costs 37.6k
# instructions against 50.3k with -Osize, for a binary 1.5 MiB larger;
# docs/architecture.md), and kept small otherwise
# (tests/packaging/check-package.sh): linked by lld with packed relative
# relocations (DT_RELR, glibc 2.36) and identical code folded, no dynamic
# symbol table for our own code. The same flags are in debian/rules.
RELEASE_FLAGS = -c release --static-swift-stdlib \
	-Xswiftc -enforce-exclusivity=unchecked \
	-Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs \
	-Xlinker --icf=all -Xlinker --no-export-dynamic \
	-Xlinker -z -Xlinker now

.PHONY: build release test tsan unit run check deb lint e2e e2e-reference netns bench clean build-deps test-deps reference

# Debian packages the build needs (CLZ4 and CZlib find liblz4 and zlib through pkg-config),
# and those the tests run (backends, clients, lz4, logrotate, openssl for
# the test certificates and TLS clients, promtool from prometheus to
# check the exporter's output, and the servers the protocol health checks
# talk to: redis-server, mariadb-server and postgresql; keepalived, iproute2
# and socat for the failover between network namespaces, `make netns`;
# strace, which shows the system call option tcp-smart-connect makes).
BUILD_DEPS = libcrypt-dev liblz4-dev libpcre2-dev libssl-dev zlib1g-dev pkg-config
TEST_DEPS = curl python3 lz4 logrotate openssl prometheus tidy dnsmasq-base testssl.sh redis-server mariadb-server postgresql \
	keepalived iproute2 socat strace

# Installs the packages in $(1) that dpkg does not list as installed: with
# apt-get as root (updating the lists first when they lack one), otherwise
# stops with their names. Does nothing when all are there. Services the
# packages would start on install (redis, MariaDB, PostgreSQL) stay stopped:
# a policy-rc.d exiting 101 is in place while apt-get runs, unless one is
# there already; the tests start their own servers on loopback.
define ensure_packages
	@missing=; for p in $(1); do \
		[ "$$(dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null)" = installed ] || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "Missing Debian packages:$$missing. Install them as root: apt-get install$$missing" >&2; exit 1; \
		fi; \
		echo "Installing$$missing with apt-get"; \
		export DEBIAN_FRONTEND=noninteractive; \
		policy=; if [ ! -e /usr/sbin/policy-rc.d ]; then \
			printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy=1; \
		fi; \
		apt-get install -y -q --no-install-recommends $$missing || \
		{ apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; }; \
		status=$$?; [ -z "$$policy" ] || rm -f /usr/sbin/policy-rc.d; exit $$status; \
	fi
endef

build-deps:
	$(call ensure_packages,$(BUILD_DEPS))

test-deps:
	$(call ensure_packages,$(TEST_DEPS))

build: build-deps
	$(SWIFT) build

release: build-deps
	$(SWIFT) build $(RELEASE_FLAGS)

# Debian's haproxy 2.6 unpacked (not installed) for the tests that compare
# with it, in ~/.cache/proxybench/ref.
reference:
	tests/reference/fetch-haproxy.sh

# Unit and integration tests (integration tests start .build/debug/haproxy).
test: build test-deps reference
	$(SWIFT) test --disable-swift-testing

# The integration tests against the product built with ThreadSanitizer (in
# .build-tsan, beside the normal .build), every proxy on two event loops
# (`nbthread 2`, which the test harness adds to the configurations it writes).
# TSan writes its reports under .build-tsan/reports; any report fails the
# target. Not part of `test` (it takes a while); run it before changing
# threading. TSAN_FILTER narrows the tests, e.g. TSAN_FILTER=LogTCPLogTests.
TSAN_BUILD = .build-tsan
TSAN_REPORTS = $(CURDIR)/$(TSAN_BUILD)/reports
TSAN_FILTER ?= IntegrationTests
# Under TSan a worker forked by the master sometimes spins for ever in the
# Swift runtime's once-initialization (whatever nbthread; the plain build
# passes): the reloads-under-load test would hang on it.
# The sanitizer runtime sets the core size limit itself (its
# disable_coredump), which the set-dumpable test reads.
TSAN_SKIP ?= MasterWorkerTests.testReloadsUnderLoadDropNothing|ProcessFlagsTests.testSetDumpableReenablesCoreDumps
tsan: build-deps test-deps reference
	$(SWIFT) build --sanitize=thread --build-path $(TSAN_BUILD) --product haproxy
	rm -rf $(TSAN_REPORTS) && mkdir -p $(TSAN_REPORTS)
	HAPROXY_TEST_BINARY=$(CURDIR)/$(TSAN_BUILD)/debug/haproxy HAPROXY_TEST_NBTHREAD=2 \
	TSAN_OPTIONS="log_path=$(TSAN_REPORTS)/report $(TSAN_OPTIONS)" \
		$(SWIFT) test --disable-swift-testing --filter '$(TSAN_FILTER)' --skip '$(TSAN_SKIP)'; status=$$?; \
	if ls $(TSAN_REPORTS)/report.* >/dev/null 2>&1; then \
		grep -h '^SUMMARY: ThreadSanitizer' $(TSAN_REPORTS)/report.* | sort | uniq -c; \
		echo "ThreadSanitizer: reports from $$(ls $(TSAN_REPORTS) | wc -l) processes in $(TSAN_REPORTS)" >&2; \
		exit 1; \
	fi; exit $$status

run: build
	.build/debug/haproxy -db -f examples/hello-world.cfg

check: build
	.build/debug/haproxy -c -f examples/hello-world.cfg

# Debian packages haproxy, haproxy-doc and haproxy-dbgsym in dist/, linted.
# DEB_BUILD_OPTIONS=nocheck skips the unit tests (CI has run them already).
DEB_VERSION = $(shell dpkg-parsechangelog -S Version | sed 's/^[0-9]*://')
DEB_ARCH = $(shell dpkg --print-architecture)
DIST = dist
deb:
	if [ "$$(id -u)" = 0 ]; then \
		apt-get install -y -q --no-install-recommends dpkg-dev debhelper lintian && \
		apt-get build-dep -y -q ./; \
	else dpkg-checkbuilddeps; fi
	DEB_BUILD_OPTIONS="$(DEB_BUILD_OPTIONS)" dpkg-buildpackage -us -uc -b
	mkdir -p $(DIST)
	cd .. && mv haproxy_$(DEB_VERSION)_$(DEB_ARCH).deb haproxy-doc_$(DEB_VERSION)_all.deb \
		haproxy-dbgsym_$(DEB_VERSION)_$(DEB_ARCH).deb haproxy_$(DEB_VERSION)_$(DEB_ARCH).changes \
		haproxy_$(DEB_VERSION)_$(DEB_ARCH).buildinfo $(CURDIR)/$(DIST)/
	$(MAKE) lint

# No E: and no W: from lintian that is not overridden (with a reason) in
# debian/haproxy.lintian-overrides.
lint:
	lintian -I --pedantic $(DIST)/haproxy_$(DEB_VERSION)_$(DEB_ARCH).changes 2>&1 | tee $(DIST)/lintian.txt
	! grep -E '^[EW]: ' $(DIST)/lintian.txt
	tests/packaging/check-package.sh $(DIST)/haproxy_$(DEB_VERSION)_$(DEB_ARCH).deb .build/release/haproxy

# The operator's flow (tests/e2e/operator-flow.sh) in a Debian 12 container
# booted with systemd, on the package built here.
e2e:
	$(MAKE) deb DEB_BUILD_OPTIONS="nocheck $(DEB_BUILD_OPTIONS)"
	tests/e2e/operator-flow.sh $(DIST)/haproxy_$(DEB_VERSION)_$(DEB_ARCH).deb \
		$(DIST)/haproxy-doc_$(DEB_VERSION)_all.deb

# Two load balancers behind a VRRP virtual IP (keepalived) sharing their
# stick tables through peers, in network namespaces (needs root): ours on
# both, then ours on LB1 and Debian's 2.6 on LB2.
netns: build test-deps reference
	tests/netns/keepalived-failover.sh .build/debug/haproxy
	tests/netns/keepalived-failover.sh --lb2-reference "$${HAPROXY_REFERENCE_DIR:-$$HOME/.cache/proxybench/ref}" .build/debug/haproxy

# The same flow on Debian's own haproxy, proving the harness.
e2e-reference:
	rm -rf $(DIST)/reference && mkdir -p $(DIST)/reference
	cd $(DIST)/reference && apt-get download haproxy
	tests/e2e/operator-flow.sh --reference $(DIST)/reference/haproxy_*.deb

bench: release
	python3 ../shared/tools/proxybench.py --candidate .build/release/haproxy

clean:
	rm -rf .build $(TSAN_BUILD)
