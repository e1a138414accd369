# Entry points: deps, build, test, demo, cluster-up, cluster-down. See README.md.
SHELL := /bin/bash
# CI builds treat warnings as errors.
PRESET ?= $(if $(CI),ci,dev)
BUILD_DIR := build
JOBS ?= $(shell nproc)

.PHONY: manifests deps build test unit-test asan fuzz demo demo-down cluster-up cluster-down cluster-status tools clean

deps:
	@scripts/deps.sh

build: deps
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET) -j $(JOBS)

test: build tools
	ctest --preset $(PRESET) -j $(JOBS)

unit-test: build
	ctest --preset $(PRESET) -j $(JOBS) -L unit

asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

# libFuzzer targets with clang, each for FUZZ_SECONDS (default 300); see tests/fuzz/run.sh.
fuzz: deps
	tests/fuzz/run.sh $(FUZZ_SECONDS)

# The main job: a local control plane, a Git repository from examples/, gitopsd syncing it.
demo: build cluster-up
	@scripts/demo.sh

demo-down:
	@scripts/demo.sh down
	@tests/cluster/cluster.sh down $(BUILD_DIR)/cluster

# The test cluster of this checkout (build/cluster); see README.md, "Test harness".
tools:
	@tests/cluster/tools.sh >/dev/null

cluster-up: tools
	@tests/cluster/cluster.sh up $(BUILD_DIR)/cluster >/dev/null
	@echo "cluster up; use it with: source $(BUILD_DIR)/cluster/env"

cluster-down:
	@tests/cluster/cluster.sh down $(BUILD_DIR)/cluster

cluster-status:
	@tests/cluster/cluster.sh status $(BUILD_DIR)/cluster

# config/install.yaml from the chart (needs helm from `make tools`).
manifests: tools
	@PATH="$$(tests/cluster/tools.sh):$$PATH" scripts/manifests.sh

clean:
	rm -rf build build-asan build-release
