# The corpus's programs (sourced by run.sh).  Inputs are in the current
# directory: words.txt (text), big.txt (words.txt $REP times), data.bin
# (bytes), records.json, nums.csv, db.sql (SQLite transactions), pi.bc,
# calc.gp (PARI/GP), big.c (C), bigw.txt.xz (xz streams) and, in $IN,
# repo.git (a git history); $CC1 is gcc's compiler proper;
# $S holds the scripts the interpreters run; `rep FILE [N]` repeats a
# file on a command line ($REP times by default), `pick NATIVE QEMU`
# chooses the amount of work for the runner.  See program() in run.sh
# for the options.

# interpreters and shells
program python3 at=lines -- python3 "$S/interp.py" $(pick 3200000 150000)
program perl at=lines -- perl "$S/interp.pl" $(pick 6400000 300000)
program bash at=lines -- bash "$S/loop.bash" $(pick 200000 12000)
program dash at=lines -- dash "$S/loop.sh" $(pick 960000 25000)
program gawk -- gawk -f "$S/stats.awk" $(rep words.txt $(pick 2 1))
program mawk -- mawk -f "$S/stats.awk" $(rep words.txt $(pick 2 1))
program tclsh at=lines -- tclsh "$S/interp.tcl" $(pick 1600000 75000)
program lua5.4 at=lines -- lua5.4 "$S/interp.lua" $(pick 32000000 2000000)
program bc -- bc -l pi.bc
# (natively only: V8 under qemu-user takes minutes)
[ -z "$RUNNER" ] && program node -- node "$S/interp.js" 8000000

# more interpreters: Ruby (without Threads, then with a few), PHP, Guile
# Scheme; they print a line per round, the checkpoints come at a number
# of lines
program ruby at=lines -- ruby "$S/hash.rb" $(pick 1000000 50000)
program ruby-threads at=lines -- ruby "$S/threads.rb" $(pick 250 12)
program php at=lines -- php "$S/interp.php" $(pick 4000000 300000)
# (natively only: under qemu-user its restart dies of a SIGSEGV at an
# address no region of the image holds; not understood yet, a limit)
[ -z "$RUNNER" ] && program guile at=lines -- guile --no-auto-compile "$S/interp.scm" $(pick 1000000 150000)

# scientific computation: PARI/GP factoring, counting primes, integrating
# and summing series at 100 digits (calc.gp sets the rounds, reads
# $S/calc.gp)
program gp at=lines -- gp -q calc.gp
# gnuplot: series, nonlinear fits and a table of the fitted curve
program gnuplot at=lines files=table.txt -- gnuplot -e "n=$(pick 50 8); m=$(pick 2000 150)" "$S/fit.gnuplot"

# a compiler proper (gcc's driver would fork it: cc1 itself) optimising a
# generated translation unit into assembly
program cc1 files=big.s -- "$CC1" -quiet -O2 big.c -o big.s

# version control: the history of a generated repository with its diffs
# (one process: no pager, no hooks, no configuration but the repository's)
program git at=lines env='GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_PAGER=cat' \
	-- git --git-dir="$IN/repo.git" log -p --stat

# a timing benchmark: its rates differ from run to run, compared as
# positive numbers in the same table (rates.awk); one second for each of
# its six block sizes, so that a checkpoint lands in a test that started
# late (one that measures CPU time across it)
program openssl-speed filter="awk -f $S/rates.awk" -- openssl speed -seconds 1 sha256

# decompression into a file (a concatenation of xz streams)
program xz-decompress files=bigw.txt -- xz -d -k -T1 bigw.txt.xz

# a program that holds file locks (flock, an open file description lock,
# a POSIX record lock) and checks every round that it still does, with
# its journal put back at restart
program flock-holder at=lines files=journal.txt env=CKPT_SAVE_WRITTEN=1 -- python3 "$S/locks.py" $(pick 600 40)

# text tools streaming large files (tr reads its standard input)
program sed -- sed -e 's/alpha/ALPHA/g; s/^[0-9]*/N/' $(rep words.txt $(pick 3 1))
program grep -- grep -n -E 'kappa.*omega|thread' $(rep words.txt)
program tr stdin=big.txt -- tr a-z A-Z
program sort files=sorted.txt -- sort --parallel=1 -k2 -o sorted.txt $(rep words.txt $(pick 3 1))
program od -- od -An -tx1 -v -N $(pick 6M 1M) data.bin
program jq -- jq -c 'select(.score > 500) | {id, name, t: .tags[0]}' records.json

# hashing and compression, reading and writing files at full speed
program sha256sum -- sha256sum $(rep data.bin $(pick 16 20))
program md5sum -- md5sum $(rep words.txt $(pick 20 40))
program b2sum -- b2sum $(rep data.bin $(pick 16 40))
program gzip -- gzip -9 -c words.txt
program bzip2 -- bzip2 -c words.txt
program xz -- xz -c -T1 -2 words.txt
program zstd -- zstd -T1 --single-thread --no-asyncio -c -$(pick 12 6) words.txt
program lz4 files=words.txt.lz4 -- lz4 -9 words.txt words.txt.lz4
program dd files=copy.bin -- dd if=big.txt of=copy.bin bs=512 status=none

# a database writing to a file on disk through its rollback journal; its
# files are put back at restart (CKPT_SAVE_WRITTEN)
program sqlite3 files=test.db env=CKPT_SAVE_WRITTEN=1 -- sqlite3 test.db ".read db.sql"

# multi-threaded: worker pools compressing and sorting
program xz-threads -- xz -c -T2 -$(pick 2 0) $(rep words.txt $(pick 2 1))
program zstd-threads -- zstd -T2 -c -$(pick 12 6) $(rep words.txt $(pick 2 1))
# (its output is written late: a checkpoint may land while it is)
program sort-threads files=psorted.txt env=CKPT_SAVE_WRITTEN=1 -- sort --parallel=2 -k2 -o psorted.txt $(rep words.txt $(pick 3 1))

# a process tree: checkpointed and restarted whole (under qemu-user the
# checkpoint says it cannot, and the program is unharmed; its stages run
# natively there, and quickly: a sleep keeps the tree alive for the signal)
if [ -n "$RUNNER" ]; then
	program bash-pipeline expect='a process tree is not checkpointed under qemu-user' \
		-- bash -c "tr a-z A-Z <big.txt | cut -c1-20 | md5sum; sleep 2; true"
else
	program bash-pipeline -- bash -c "tr a-z A-Z <big.txt | cut -c1-20 | md5sum"
fi
