# Debian package: `make deb` builds ckpt_<version>_amd64.deb in the
# repository root with dpkg-deb (packaging/mkdeb.sh); `make check-deb`
# installs it, checkpoints and restarts a program with the installed
# ckpt-run and myrestart, and removes it (root; tests/deb-test.sh).
# Included by the main Makefile (include packaging/deb.mk).
.PHONY: deb check-deb

deb: libckpt.so myrestart
	./packaging/mkdeb.sh

check-deb:
	./tests/deb-test.sh
