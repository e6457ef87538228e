# barmand: the two commands a newcomer runs are `make up` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
MVN ?= mvn -B -ntp

.PHONY: help up deps build box lab-up verify down test test-java test-lab

help:
	@echo "make up      install what is missing, build, bring the lab up (vagrant up), verify it"
	@echo "make test    every test: unit and integration tests of barmand, then the lab end to end"
	@echo "make verify  check and print the lab's replication and backup state"
	@echo "make down    destroy the lab"

up: deps build box lab-up verify

deps:
	bash lab/host-deps.sh all

# the daemon's jar and .deb, without tests (make test runs them)
build:
	$(MVN) -q -DskipTests package

box:
	bash lab/build-box.sh

lab-up:
	bash lab/up.sh

verify:
	bash lab/verify.sh

down:
	bash lab/down.sh

test: test-java test-lab

test-java:
	bash lab/host-deps.sh build
	$(MVN) verify

test-lab: deps
	bash lab/e2e.sh
