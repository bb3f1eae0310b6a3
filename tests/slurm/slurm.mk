# make check-slurm: examples/slurm/job.sh under a real Slurm, on a two-node
# cluster that tests/slurm/test.sh brings up on this machine and tears down
# (root only; prints "SKIP: needs root" otherwise).  Included from the main
# Makefile; `make check` runs it too.
.PHONY: check-slurm
check-slurm: libckpt.so myrestart
	./tests/slurm/test.sh
