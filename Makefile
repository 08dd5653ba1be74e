# Build, test, run and package the Swift haproxy.
SWIFT ?= /opt/swift/usr/bin/swift
# Release: Swift runtime linked statically so the .deb depends on Debian libraries only.
RELEASE_FLAGS = -c release --static-swift-stdlib \
	-Xswiftc -enforce-exclusivity=unchecked \
	-Xlinker -z -Xlinker now

.PHONY: build release test unit run check deb bench clean

build:
	$(SWIFT) build

release:
	$(SWIFT) build $(RELEASE_FLAGS)

# Unit and integration tests (integration tests start .build/debug/haproxy).
test: build
	$(SWIFT) test

run: build
	.build/debug/haproxy -db -f examples/hello-world.cfg

check: build
	.build/debug/haproxy -c -f examples/hello-world.cfg

deb:
	apt-get build-dep -y . 2>/dev/null || true
	dpkg-buildpackage -us -uc -b

bench: release
	python3 ../shared/tools/proxybench.py --candidate .build/release/haproxy

clean:
	rm -rf .build
