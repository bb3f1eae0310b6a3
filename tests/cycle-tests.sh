# Sourced by tests/run.sh: the core check on many kinds of programs, one
# case each (lib.sh's cycle: checkpoint after N lines of output, kill,
# restart, compare with an uninterrupted run).
#         NAME            LINES CYCLES TIMEOUT             PROGRAM...
def_cycle counter-pie     5 1 $((20 * SLOW)) "$BIN/counter"
def_cycle counter-nopie   5 1 $((20 * SLOW)) "$BIN/counter-nopie"
def_cycle three-cycles    8 3 $((20 * SLOW)) "$BIN/counter"
def_cycle heap            6 1 $((30 * SLOW)) "$BIN/heap"
def_cycle recursion       5 1 $((30 * SLOW)) "$BIN/recursion"
def_cycle globals-tls     5 1 $((20 * SLOW)) "$BIN/globals"
def_cycle in-own-handler  5 1 $((30 * SLOW)) "$BIN/inhandler"
def_cycle errno-sigmask   5 1 $((30 * SLOW)) "$BIN/errnomask"
def_cycle file-offset     20 1 $((20 * SLOW)) "$BIN/file" "$OUT/input.txt"
# offsets and a deleted file's contents move on while the writer works
def_cycle fast-reader     3000 3 $((30 * SLOW)) "$BIN/bytereader" "$OUT/bytes.txt"
def_cycle signal-handlers 5 1 $((20 * SLOW)) "$BIN/signals"
def_cycle rseq            5 1 $((20 * SLOW)) "$BIN/rseq"
def_cycle page-runs-at-region-edges 5 1 $((20 * SLOW)) "$BIN/runs"
def_cycle anonymous-memory 5 1 $((20 * SLOW)) "$BIN/anonmem"
# a periodic timer whose signal is pending at the checkpoint
def_cycle itimer-pending  5 1 $((20 * SLOW)) "$BIN/alarm"
def_cycle cxx             5 1 $((20 * SLOW)) "$BIN/cxx"
def_cycle python3         5 1 $((40 * SLOW)) /usr/bin/python3 "$ROOT/tests/progs/compute.py"
def_cycle perl            5 1 $((40 * SLOW)) /usr/bin/perl "$ROOT/tests/progs/compute.pl"
# one program through 100 checkpoint/kill/restart cycles (12 under qemu,
# where each one costs seconds)
def_cycle endurance       2 $((SLOW > 1 ? 12 : 100)) $((30 * SLOW)) "$BIN/counter" 1000 10
# a large image: 1 GiB natively; under qemu, whose every byte is emulated
# (1 GiB took 3.5 minutes there), an eighth of it
if [ -z "$RUNNER" ]; then def_cycle dense-1gib 2 1 120 "$BIN/dense" 1024
else def_cycle dense-128mib 2 1 $((120 * SLOW)) "$BIN/dense" 128; fi
