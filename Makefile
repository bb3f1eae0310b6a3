# ckpt: transparent checkpoint/restart for single Linux x86-64 processes.
# Two artefacts, neither links a libc: libckpt.so (preloaded into the
# target) and myrestart (static, at 0x5000000).  System calls go through
# the kernel's nolibc headers, extracted from Debian's linux-source-6.12.

CC      := clang
LD      := ld.lld
OBJCOPY := llvm-objcopy
RUNNER  ?=
# the instruction set: arch/$(ARCH)/ holds all that ckpt knows of it
# (arch/PORTING.md)
ARCH    ?= x86_64
ARCH_DIR := arch/$(ARCH)
QEMU    ?= qemu-$(ARCH)
# Keep the restarter and the library small; the build fails past these
# budgets, in bytes (tests/audit-restart.sh, tests/audit-lib.sh; `make
# size` gives the sizes as they are).  The file grows in whole pages:
# text, then a page for .data.  Both grew with every kind of object they
# learned (pipes, sockets, eventfd, timerfd, signalfd, epoll, memfd,
# shared memory, mapped files, MADV_DONTFORK, POSIX timers, file locks,
# the CPU clocks, process trees, sockets to elsewhere), myrestart also
# with incremental images and the one-pass restore.  The library's C is
# built for size (-Oz): its pages are in every image, and its hot loop,
# the CRC, is in arch/; -Oz for common/ and lld's --icf=safe shrink both.
MYRESTART_MAX := 65536
LIBCKPT_MAX   := 98304

KSRC_TAR := /usr/src/linux-source-6.12.tar.xz
NOLIBC   := nolibc/nolibc.h

BASE_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror \
	-ffreestanding -fno-builtin-printf -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	-ffunction-sections -fdata-sections -fno-common \
	-Inolibc -Icommon -I$(ARCH_DIR) -Iinclude -nostdlib
# crt.h (nolibc's _start_c, which calls main) has no place in a library
LIB_CFLAGS  := $(BASE_CFLAGS) -fPIC -fvisibility=hidden -D_NOLIBC_CRT_H
# -Oz: the restarter has its budget too, MYRESTART_MAX (its one hot
# loop, the CRC, is inline assembly); no SSE registers
# (-mgeneral-regs-only), so variadic calls need not save them; no jump tables (smaller here); -fpie: the code
# addresses its data relative to itself, so that the restore stage can run
# from a copy (restart/relocate.c), though the file is linked at 0x5000000
RST_CFLAGS  := $(BASE_CFLAGS) -Oz -mgeneral-regs-only -fno-jump-tables -fpie -fvisibility=hidden -static

COMMON_H := $(wildcard common/*.h) $(wildcard $(ARCH_DIR)/*.h) $(NOLIBC) Makefile   # flags changed: rebuild
CORE_SRC := $(wildcard core/*.c)
RST_SRC  := $(wildcard restart/*.c)
COMMON_SRC := $(wildcard common/*.c)
ARCH_SRC := $(wildcard $(ARCH_DIR)/*.c) $(wildcard $(ARCH_DIR)/*.S)
ARCH_OBJ  = $(patsubst $(ARCH_DIR)/%,build/$(1)/arch-%.o,$(basename $(ARCH_SRC)))
# (the library checks every image it writes with myrestart's own
# validation: common/imgread.c and common/chain.c)
CORE_OBJ := $(patsubst %.c,build/%.o,$(CORE_SRC)) $(patsubst common/%.c,build/core/common-%.o,$(COMMON_SRC)) \
	$(call ARCH_OBJ,core)
RST_OBJ  := $(patsubst %.c,build/%.o,$(RST_SRC)) $(patsubst common/%.c,build/restart/common-%.o,$(COMMON_SRC)) \
	$(call ARCH_OBJ,restart)

.PHONY: all bench bench-criu corpus demo deps fuzz install uninstall check check-quick restart size clean distclean

all: libckpt.so myrestart

# make deb, make check-deb: the Debian package
include packaging/deb.mk
# make check-slurm: the Slurm example on a two-node cluster of this machine
include tests/slurm/slurm.mk

# --- nolibc from the kernel source package (not committed) ---
$(NOLIBC):
	@test -r $(KSRC_TAR) || { echo "missing $(KSRC_TAR): run 'make deps' as root (apt-get install linux-source-6.12)"; exit 1; }
	rm -rf nolibc build/ksrc && mkdir -p build/ksrc
	tar -xJf $(KSRC_TAR) -C build/ksrc --wildcards 'linux-source-6.12/tools/include/nolibc/*'
	mv build/ksrc/linux-source-6.12/tools/include/nolibc nolibc && rm -rf build/ksrc
	touch $@

# --- libckpt.so ---
build/core/%.o: core/%.c $(COMMON_H) $(wildcard core/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"; $(CC) $(LIB_CFLAGS) -Oz -c -o $@ $<
# (the reader runs once per checkpoint, away from the program: size over
# speed; its one hot loop, the CRC, is in crc32c.c)
build/core/common-%.o: common/%.c $(COMMON_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"; $(CC) $(LIB_CFLAGS) $(if $(findstring crc32c,$*),,-Oz) -c -o $@ $<
build/core/arch-%.o: $(ARCH_DIR)/%.c $(COMMON_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"; $(CC) $(LIB_CFLAGS) $(if $(findstring crc32c,$*),,-Oz) -c -o $@ $<
build/core/arch-%.o: $(ARCH_DIR)/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $@"; $(CC) -fPIC -c -o $@ $<

# The library's variables, smallest first: the small ones, which every
# process touches, share a few pages, and the large buffers, touched in
# part or only in a checkpoint, come after them.  Each touched page of
# them is in every image (hello's lost two pages to one variable that
# came to straddle a page).
build/core/data.order: $(CORE_OBJ)
	nm -S $(CORE_OBJ) | awk 'NF == 4 && $$3 ~ /^[bBdD]$$/ { print $$2, $$4 }' | \
		LC_ALL=C sort -s -k1,1 | awk '{ print $$2 }' >$@    # (sizes: 16 hex digits)
# the version script: the exported names (core/libckpt.exports), nothing else
build/core/libckpt.map: core/libckpt.exports
	@mkdir -p $(dir $@)
	{ echo '{ global:'; sed 's/#.*//' $< | awk 'NF { print "\t" $$1 ";" }'; echo 'local: *; };'; } >$@
libckpt.so: $(CORE_OBJ) build/core/libckpt.map build/core/data.order
	$(CC) -fuse-ld=lld -shared -nostdlib -Wl,--version-script=build/core/libckpt.map \
		-Wl,--gc-sections -Wl,--icf=safe -Wl,-z,defs -Wl,-z,now -Wl,-z,relro -Wl,-z,noexecstack \
		-Wl,--hash-style=gnu -Wl,--symbol-ordering-file=build/core/data.order \
		-Wl,--no-warn-symbol-ordering -Wl,-s -o $@ $(CORE_OBJ)
	$(OBJCOPY) --remove-section=.comment $@     # the compiler's name, nothing the loader reads
	@./tests/audit-lib.sh $@ $(LIBCKPT_MAX)

# --- myrestart ---
build/restart/%.o: restart/%.c $(COMMON_H) $(wildcard restart/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"; $(CC) $(RST_CFLAGS) -c -o $@ $<
build/restart/common-%.o: common/%.c $(COMMON_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"; $(CC) $(RST_CFLAGS) -c -o $@ $<
build/restart/arch-%.o: $(ARCH_DIR)/%.c $(COMMON_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"; $(CC) $(RST_CFLAGS) -c -o $@ $<
build/restart/arch-%.o: $(ARCH_DIR)/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $@"; $(CC) -c -o $@ $<

# --nmagic: no page alignment in the file (the data segment sits at the
# same page offset as its bytes in the file, see linker.ld); -O2: string
# tail merging.  build/myrestart.elf keeps symbols and section headers
# (gdb, make size); myrestart is the same minus both (the kernel reads
# neither), like sstrip would do.
myrestart: $(RST_OBJ) linker.ld
	$(LD) -static -nostdlib -T linker.ld -O2 --nmagic --gc-sections --icf=safe -z noexecstack \
		-o build/myrestart.elf $(RST_OBJ)
	$(OBJCOPY) --strip-all --strip-sections build/myrestart.elf $@
	@./tests/audit-restart.sh $@ $(MYRESTART_MAX)

# --- the seed assignment's recipe ---
hello: hello.c
	gcc -g -O0 -o hello hello.c

restart:
	$(RUNNER) ./myrestart myckpt

# The main job, end to end: hello under libckpt.so, kill -12, kill -9,
# make restart; the dots go on after the restart.
demo: libckpt.so myrestart hello
	./tests/seed-recipe.sh "$(RUNNER)"

# `make check`: the seed recipe, the suite and the corpus, natively and
# under qemu, and 12 s of fuzzing, side by side (tests/run.sh --all);
# `make check RUNNER=` or `make check RUNNER=qemu-x86_64` runs one runner;
# `make check-quick` the native suite alone, for the edit-test loop.
ifeq ($(origin RUNNER),command line)
check: libckpt.so myrestart hello.c hello
	ARCH=$(ARCH) ./tests/run.sh --runner "$(RUNNER)" --seed --corpus
else
check: libckpt.so myrestart hello.c hello
	ARCH=$(ARCH) QEMU=$(QEMU) ./tests/run.sh --all
endif

check-quick: libckpt.so myrestart hello
	ARCH=$(ARCH) ./tests/run.sh

# real programs from Debian packages only (tests/corpus/programs.sh)
corpus: libckpt.so myrestart
	./tests/corpus/run.sh --runner "$(RUNNER)"

# Installs what the build and tests need on a fresh Debian 12 (as root).
deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		make clang lld llvm libclang-rt-14-dev gcc g++ libc6-dev linux-libc-dev linux-source-6.12 xz-utils \
		qemu-user python3 perl procps coreutils curl \
		libevent-dev lintian pkgconf slurm-wlm munge sqlite3 gawk mawk tcl lua5.4 bc jq xz-utils zstd lz4 bzip2 gzip sed grep \
		openjdk-17-jdk-headless nodejs \
		ruby php-cli guile-3.0 pari-gp gnuplot-nox cpp-12 git openssl >/dev/null

# --- fuzzing myrestart's parser and validator (the same sources) ---
FUZZ_TIME ?= 60
FUZZ_SRC  := tests/fuzz/harness.c $(wildcard common/*.c) $(wildcard $(ARCH_DIR)/*.c)
build/fuzz-image: $(FUZZ_SRC) $(COMMON_H)
	@mkdir -p build
	$(CC) -std=gnu11 -g -O1 -Wall -Wextra -Werror -ffreestanding -fno-stack-protector \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-D_NOLIBC_CRT_H -Inolibc -Icommon -I$(ARCH_DIR) -o $@ $(FUZZ_SRC)

fuzz: build/fuzz-image myrestart
	@mkdir -p build/fuzz-corpus
	python3 tests/fuzz/mkseed.py >build/fuzz-corpus/seed.img
	python3 tests/fuzz/mkseed.py --tree >build/fuzz-corpus/seed-tree.img
	./myrestart --check build/fuzz-corpus/seed.img
	./myrestart --check build/fuzz-corpus/seed-tree.img
	build/fuzz-image -max_total_time=$(FUZZ_TIME) -max_len=65536 -timeout=10 \
		-artifact_prefix=build/ -print_final_stats=1 build/fuzz-corpus >build/fuzz.log 2>&1 \
		|| { tail -40 build/fuzz.log; echo "fuzz: FAILED (reproducer in build/)"; exit 1; }
	@grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec)' build/fuzz.log
	@echo "fuzz: ok"

# --- install ---
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
INSTALLED  := $(BINDIR)/myrestart $(BINDIR)/ckpt-run $(LIBDIR)/libckpt.so $(INCLUDEDIR)/ckpt.h \
	$(MANDIR)/man1/myrestart.1 $(MANDIR)/man1/ckpt-run.1 $(MANDIR)/man7/libckpt.7

install: libckpt.so myrestart
	install -D -m 755 myrestart $(DESTDIR)$(BINDIR)/myrestart
	sed 's|^CKPT_LIB=$$|CKPT_LIB=$(LIBDIR)/libckpt.so|' ckpt-run >ckpt-run.installed
	install -D -m 755 ckpt-run.installed $(DESTDIR)$(BINDIR)/ckpt-run && rm -f ckpt-run.installed
	install -D -m 644 libckpt.so $(DESTDIR)$(LIBDIR)/libckpt.so
	install -D -m 644 include/ckpt.h $(DESTDIR)$(INCLUDEDIR)/ckpt.h
	install -D -m 644 man/myrestart.1 $(DESTDIR)$(MANDIR)/man1/myrestart.1
	install -D -m 644 man/ckpt-run.1 $(DESTDIR)$(MANDIR)/man1/ckpt-run.1
	install -D -m 644 man/libckpt.7 $(DESTDIR)$(MANDIR)/man7/libckpt.7

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

# Timings beside the floors of the same run (docs/performance.md).
bench: libckpt.so myrestart
	python3 tests/bench/bench.py $(SCENARIOS)

# CRIU 4.x for make bench to measure beside us (root; into ~/.cache/ckpt-peers, not the tree)
bench-criu:
	tests/bench/build-criu.sh

size: libckpt.so myrestart
	@for f in myrestart:build/myrestart.elf libckpt.so:libckpt.so; do \
		t=$$(stat -c %s $${f%%:*}); echo "$${f%%:*}: $$t bytes"; \
		size -A $${f#*:} | awk -v t=$$t '$$2 ~ /^[0-9]+$$/ && $$2 > 0 && $$1 !~ /bss|Total/ \
			{ printf "  %-20s %7d  %5.1f%%\n", $$1, $$2, 100 * $$2 / t; s += $$2 } \
			END { printf "  %-20s %7d  %5.1f%%\n", "(headers, padding)", t - s, 100 * (t - s) / t }'; done

clean:
	rm -rf build libckpt.so myrestart hello myckpt myckpt.* tests/out ckpt-run.installed ckpt_*.deb
distclean: clean
	rm -rf nolibc
