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

# the daemon's jar and .deb, without tests (make test runs them); rebuilt only when a source changed, so that a
# second `make up` installs the same .deb and the playbook reports changed=0
DEB := target/barmand_$(shell sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml)_all.deb
SOURCES := pom.xml $(shell find src/main conf systemd packaging -type f 2>/dev/null)

# S3Proxy for the lab's offsite node (the nodes cannot reach Maven Central): `package` stages it too; alone, only the
# pom's stage-s3proxy execution runs (touch: the copy keeps the artifact's old time stamp)
S3PROXY_JAR := target/s3proxy/s3proxy.jar

build: $(DEB) $(S3PROXY_JAR)

$(DEB): $(SOURCES)
	$(MVN) -q -DskipTests package

$(S3PROXY_JAR): pom.xml | $(DEB)
	$(MVN) -q dependency:copy@stage-s3proxy
	touch $@

box:
	bash lab/build-box.sh

lab-up:
	bash lab/up.sh

verify:
	bash lab/verify.sh

down:
	bash lab/down.sh

test: test-java test-lab

# the shipped alert rules through promtool (packaging/monitoring/check.sh); after the tests, the .deb that verify built
# through Debian's lintian (packaging/lintian.sh: any tag not explained fails)
test-java:
	bash lab/host-deps.sh build
	bash .ci/doc-links.sh
	bash packaging/monitoring/check.sh
	$(MVN) verify
	bash packaging/lintian.sh $(DEB)

test-lab: deps
	bash lab/e2e.sh
