#!/usr/bin/env python3
"""make bench: checkpoint and restart timings of ckpt, beside the floors
measured in the same run on the same machine (dd of the same bytes to the
same directory, one read of the image, fork of the same process, exec of a
static binary) and CRIU's on the same workloads when a criu 4.x is built
(make bench-criu, or CRIU=/path/to/criu): dump, dump --leave-running with the
pause the program saw, restore to the program's first output, image size.
os.sync() before each measured step, ours and CRIU's alike.
Min and median of RUNS runs after a warm-up."""
import os, re, select, signal, statistics, subprocess, sys, time, shutil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.environ.get("BENCH_DIR", ROOT + "/build/bench")
# private copies: the tree may be rebuilt while the bench runs
LIB, RST = WORK + "/libckpt.so", WORK + "/myrestart"
RUNS = int(os.environ.get("RUNS", "5"))
WL = WORK + "/workload"
CRIU = os.environ.get("CRIU") or os.path.join(os.environ.get("CKPT_PEERS") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ckpt-peers"), "criu", "criu")

def ms(t): return t * 1e3

def wait_for(pred, timeout=120.0, step=0.0002):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return time.monotonic()
        time.sleep(step)
    raise RuntimeError("timed out")

class Proc:
    """a program, its output in WORK/out, or with files already open
    (out, err), in those; out may be subprocess.PIPE"""
    def __init__(self, argv, env=None, stdin=None, files=None):
        self.out, self.err = files or (open(WORK + "/out", "wb+"), open(WORK + "/err", "wb+"))
        # a session of its own: a tree is killed whole (kill())
        self.p = subprocess.Popen(argv, cwd=WORK, stdin=stdin, stdout=self.out, stderr=self.err, env=env,
                                  start_new_session=True)
        if self.out == subprocess.PIPE:
            self.out = self.p.stdout
    def lines(self):
        self.out.flush()
        with open(WORK + "/out", "rb") as f:
            return f.read().decode(errors="replace").split("\n")
    def wait_line(self, prefix, timeout=120.0):
        found = []
        def have():
            for l in self.lines():
                if l.startswith(prefix) and l not in found:
                    found.append(l); return True
            return False
        t = wait_for(have, timeout)
        return t, found[-1]
    def kill(self):
        """the program and what runs below it: the processes of a tree,
        the reaper of a restarted one (pid 1 of its namespace: the rest go
        with it)"""
        below = []
        try:
            with open("/proc/%d/task/%d/children" % (self.p.pid, self.p.pid)) as f:
                below = [int(c) for c in f.read().split()]
        except OSError:
            pass
        for c in below:
            try: os.kill(c, signal.SIGKILL)
            except OSError: pass
        try: os.killpg(self.p.pid, signal.SIGKILL)
        except OSError: pass
        self.p.kill(); self.p.wait(); self.out.close(); self.err.close()
    def verbose(self, what):
        """one of the library's own figures (CKPT_VERBOSE), in seconds"""
        with open(WORK + "/err") as f:
            m = re.search(what, f.read())
        return float(m.group(1)) / 1e3 if m else float("nan")

def clear_images():
    for f in os.listdir(WORK):
        if f.startswith("myckpt"):
            os.unlink(os.path.join(WORK, f))

def restart_of(opts):
    """myrestart OPTS myckpt, after a sync: the process and the seconds to
    the program's first output.  That output comes through a pipe, read
    as it is written (polling a file instead added 0.2 to 0.8 ms to a
    restart of about one); its errors go to WORK/err as before"""
    os.sync()
    err = open(WORK + "/err", "wb+")
    t0 = time.monotonic()
    q = Proc([RST] + opts + ["myckpt"], files=(subprocess.PIPE, err))
    ready, _, _ = select.select([q.out], [], [], 120)
    line = q.out.readline() if ready else b""
    t1 = time.monotonic()
    if not line.startswith(b"resumed"):
        q.kill()
        raise RuntimeError("the restart printed %r, not 'resumed'" % line)
    return q, t1 - t0

def restart_time(opts):
    q, t = restart_of(opts)
    q.kill()
    return t

def one_run(args, extra={}, full=True):
    img = WORK + "/myckpt"
    clear_images()
    os.sync()                               # no earlier run's writeback in this one
    env = dict(os.environ, LD_PRELOAD=LIB, CKPT_VERBOSE="1", **extra)
    p = Proc([WL] + args, env)
    _, fork_line = p.wait_line("fork ")
    p.wait_line("ready")
    time.sleep(0.05)
    t0 = time.monotonic()
    p.p.send_signal(signal.SIGUSR2)
    t1 = wait_for(lambda: os.path.exists(img))
    time.sleep(0.02)
    p.p.send_signal(signal.SIGUSR1)
    _, gap = p.wait_line("gap ")
    time.sleep(0.01)                        # the writer's verbose line
    capture = p.verbose(r"the program paused ([0-9.]+) ms before the fork")
    check = p.verbose(r"its own check ([0-9.]+) ms")
    p.kill()
    size = os.path.getsize(img)
    if not full:
        return dict(ckpt=t1 - t0)
    # restart to the program's first output
    r_def, r_lazy = restart_time([]), restart_time(["--lazy"])
    # floors, same bytes, same directory
    os.sync()
    t = time.monotonic()
    subprocess.run(["dd", "if=/dev/zero", "of=" + WORK + "/dd.out", "bs=1M", "count=%d" % max(1, size >> 20),
                    "conv=notrunc"], stderr=subprocess.DEVNULL, check=True)
    dd = time.monotonic() - t
    os.unlink(WORK + "/dd.out")
    os.sync()
    t = time.monotonic()
    subprocess.run(["cat", img], stdout=subprocess.DEVNULL, check=True)
    rd = time.monotonic() - t
    return dict(ckpt=t1 - t0, pause=float(gap.split()[1]) / 1e3, fork=float(fork_line.split()[1]) / 1e3, capture=capture, check=check,
                size=size, restart=r_def, lazy=r_lazy, dd=dd, read=rd)

def written_count():
    with open(WORK + "/err") as f:
        return len(re.findall(r"checkpoint [0-9]+ written", f.read()))

def ckpt_of(proc, n):
    """SIGUSR2 to proc; seconds until its n-th image is in place (the
    library's CKPT_VERBOSE line comes after the rename)"""
    os.sync()
    t0 = time.monotonic()
    proc.p.send_signal(signal.SIGUSR2)
    return wait_for(lambda: written_count() >= n, step=0.0005) - t0

def incr_run(mib):
    """dense MIB: a full image, 1% of the pages rewritten, a second image
    (a delta natively); the restart from it; then the restarted process's
    first image, full, of the same memory, and the restart from that"""
    img = WORK + "/myckpt"
    clear_images()
    os.sync()
    env = dict(os.environ, LD_PRELOAD=LIB, CKPT_VERBOSE="1")
    p = Proc([WL, "dense", str(mib)], env)
    p.wait_line("ready")
    time.sleep(0.05)
    full = ckpt_of(p, 1)
    full_size = os.path.getsize(img)
    p.p.send_signal(signal.SIGHUP)
    p.wait_line("rewritten")
    delta = ckpt_of(p, 2)
    delta_size = os.path.getsize(img)
    with open(WORK + "/err") as f:
        is_delta = "a delta of" in f.read()
    p.kill()
    r_lazy = restart_time(["--lazy"])
    q, r_delta = restart_of([])
    # the restarted process's first image is full (nothing tracked yet)
    ckpt_of(q, 1)
    q.kill()
    r_full = restart_time([])
    return dict(full=full, delta=delta, full_size=full_size, delta_size=delta_size, r_delta=r_delta,
                r_full=r_full, r_lazy=r_lazy, is_delta=is_delta)

def incr_table(mib):
    print()
    print("incremental: dense %d MiB, 1%% of the pages rewritten between two checkpoints (min / median, ms)" % mib)
    incr_run(mib)                           # warm-up
    rs = [incr_run(mib) for _ in range(RUNS)]
    def mm(k): v = [r[k] for r in rs]; return "%8.2f/%8.2f" % (ms(min(v)), ms(statistics.median(v)))
    med = {k: statistics.median([r[k] for r in rs]) for k in rs[0]}
    hdr = "%17s %17s %11s %11s %17s %17s %17s" % ("first (full)", "second", "first MiB", "second MiB",
          "restart newest", "restart full", "newest --lazy")
    print(hdr); print("-" * len(hdr))
    print("%17s %17s %11.1f %11.1f %17s %17s %17s" % (mm("full"), mm("delta"), med["full_size"] / 2**20,
          med["delta_size"] / 2**20, mm("r_delta"), mm("r_full"), mm("r_lazy")))
    target("incremental 1 GiB, 1% rewritten: second image / first, bytes", 100 * med["delta_size"] / med["full_size"], 3, "%")
    target("incremental 1 GiB, 1% rewritten: second checkpoint / first, time", med["delta"] / med["full"], 0.1)
    target("incremental 1 GiB: restart newest / restart full, same state", med["r_delta"] / med["r_full"], 1.2)
    print("  second a delta: %s;  bytes second/first %.2f%% (target <= 3%%);  time second/first %.3f (target <= 0.1);"
          "  restart newest/full %.2f (target <= 1.2)" % ("yes" if all(r["is_delta"] for r in rs) else "NO",
          100 * med["delta_size"] / med["full_size"], med["delta"] / med["full"], med["r_delta"] / med["r_full"]))

def clocks_table():
    """ns per clock_gettime call (tests/bench/clocks.c): without the
    library, under it, and under it after a restart (the CPU clocks are
    then shifted by the library, core/cputime.c)"""
    exe = WORK + "/clocks"
    subprocess.run(["gcc", "-O2", "-I", ROOT + "/include", "-o", exe, ROOT + "/tests/bench/clocks.c"], check=True)
    def lines(text):
        return {(w[0], w[1]): float(w[2]) for w in (l.split() for l in text.split("\n")) if len(w) == 3}
    got = lines(subprocess.run([exe], cwd=WORK, stdout=subprocess.PIPE, check=True).stdout.decode())
    clear_images()
    p = subprocess.Popen([exe], cwd=WORK, stdout=subprocess.PIPE, env=dict(os.environ, LD_PRELOAD=LIB))
    out = b""
    for line in p.stdout:
        out += line
        if line.startswith(b"checkpointed"):
            break
    p.kill(); p.wait()
    got.update(lines(out.decode()))
    r = subprocess.run([RST, "myckpt"], cwd=WORK, stdout=subprocess.PIPE, timeout=120)
    got.update(lines(r.stdout.decode()))
    print()
    print("clock_gettime, ns per call (best of 5 loops): without the library, under it, under it after a restart")
    hdr = "%-26s %9s %9s %7s %10s %7s" % ("clock", "without", "library", "ratio", "restarted", "ratio")
    print(hdr); print("-" * len(hdr))
    for key, name in (("monotonic", "CLOCK_MONOTONIC"), ("process", "CLOCK_PROCESS_CPUTIME_ID"),
                      ("thread", "CLOCK_THREAD_CPUTIME_ID")):
        base, lib, rst = (got.get((w, key), float("nan")) for w in ("without", "library", "restarted"))
        print("%-26s %9.2f %9.2f %7.2f %10.2f %7.2f" % (name, base, lib, lib / base, rst, rst / base))
        # the other clocks and a process never restarted: libc's at once;
        # a restarted process's CPU clocks: getpid (and gettid) besides
        target("clock_gettime %s: library / without" % name, lib / base, 1.1)
        target("clock_gettime %s: restarted / without" % name, rst / base, 1.1 if key == "monotonic" else 2.0)

# CRIU on the same workload, without our library.  --shell-job: the workload
# shares our session; stdin /dev/null, stdout and stderr files (a pipe or
# terminal from make would be an external resource to CRIU).  CRIU restores
# the same pid, so the workload prints no "resumed": the first output after
# a restore is its answer to a SIGUSR1 sent once `criu restore -d` returns.
def subreaper(on):
    import ctypes
    ctypes.CDLL(None).prctl(36, on, 0, 0, 0)    # PR_SET_CHILD_SUBREAPER

def criu(*args):
    r = subprocess.run([CRIU] + list(args), cwd=WORK, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode:
        raise RuntimeError("criu %s failed: %s" % (args[0], r.stdout.decode(errors="replace").strip()[-400:]))

def dir_bytes(d):
    return sum(os.lstat(os.path.join(r, f)).st_size for r, _, fs in os.walk(d) for f in fs)

def criu_run(args, extra={}):
    env = dict(os.environ, **extra)
    env.pop("LD_PRELOAD", None)
    lr, img = WORK + "/criu-lr", WORK + "/criu-img"
    for d in (lr, img):
        shutil.rmtree(d, ignore_errors=True); os.makedirs(d)
    # dump --leave-running: its time, and the pause the program saw
    p = Proc([WL] + args, env, subprocess.DEVNULL)
    try:
        p.wait_line("ready")
        time.sleep(0.05)
        os.sync()
        t0 = time.monotonic()
        criu("dump", "-t", str(p.p.pid), "-D", lr, "--shell-job", "--leave-running")
        dump_lr = time.monotonic() - t0
        p.p.send_signal(signal.SIGUSR1)
        _, gap = p.wait_line("gap ", 30)
    finally:
        p.kill()
    shutil.rmtree(lr)
    # dump (the process is killed at the end), then restore to first output
    p = Proc([WL] + args, env, subprocess.DEVNULL)
    try:
        p.wait_line("ready")
        time.sleep(0.05)
        os.sync()
        t0 = time.monotonic()
        criu("dump", "-t", str(p.p.pid), "-D", img, "--shell-job")
        dump = time.monotonic() - t0
    finally:
        p.kill()                            # reaped: the pid is free for the restore
    pid = p.p.pid
    size = dir_bytes(img)
    os.sync()
    subreaper(1)                            # the restored process comes back to us to reap
    try:
        t0 = time.monotonic()
        criu("restore", "-D", img, "--shell-job", "-d")
    finally:
        subreaper(0)
    def out_gap():
        with open(WORK + "/out", "rb") as f:
            return b"\ngap " in f.read()
    try:
        os.kill(pid, signal.SIGUSR1)
        t1 = wait_for(out_gap, 30)
    finally:
        os.kill(pid, signal.SIGKILL)
        try:
            os.waitpid(pid, 0)              # ours, as the subreaper
        except ChildProcessError:
            wait_for(lambda: not os.path.exists("/proc/%d" % pid) or
                     open("/proc/%d/stat" % pid).read().rsplit(") ", 1)[1][0] in "ZX", 10)
    shutil.rmtree(img)
    return dict(dump=dump, dump_lr=dump_lr, pause=float(gap.split()[1]) / 1e3, restore=t1 - t0, size=size)

def criu_usable():
    """None if CRIU can be driven, else why not"""
    if not os.access(CRIU, os.X_OK):
        return "not built (make bench-criu)"
    if os.geteuid():
        return "needs root"
    v = subprocess.run([CRIU, "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()
    if not re.search(r"^Version: 4\.", v, re.M):
        return "%s is not a criu 4.x (make bench-criu)" % CRIU
    return None

def exec_floor():
    t = time.monotonic()
    for _ in range(50):
        subprocess.run([RST, "--version"], stdout=subprocess.DEVNULL)
    return (time.monotonic() - t) / 50

def fmt(v): return "%8.1f" % ms(v)

TARGETS = []                                # (what, measured, target, unit)
def target(what, value, limit, unit="x"):
    TARGETS.append((what, value, limit, unit))

def print_targets():
    if not TARGETS:
        return
    print()
    print("targets (issue 17 and before): measured, median of this run")
    for what, v, limit, unit in TARGETS:
        shown = ("%.1f KiB" % v if unit == "KiB" else "%.2f%%" % v if unit == "%" else "%.3fx" % v)
        lim = ("%d KiB" % limit if unit == "KiB" else "%g%%" % limit if unit == "%" else "%gx" % limit)
        print("  %-58s %12s  target <= %-8s %s" % (what, shown, lim, "met" if v <= limit else "NOT MET"))

def main():
    os.makedirs(WORK, exist_ok=True)
    shutil.copy(ROOT + "/libckpt.so", LIB)
    shutil.copy(ROOT + "/myrestart", RST)
    subprocess.run(["gcc", "-O2", "-pthread", "-o", WL, ROOT + "/tests/bench/workload.c"], check=True)
    scen = [("hello", ["hello"], {}), ("hello 100 files", ["hello"], {"FILES": "100"}),
            ("sockets 100+100", ["hello"], {"FILES": "100", "LISTENERS": "100"}),
            ("dense 64 MiB", ["dense", "64"], {}), ("dense 1 GiB", ["dense", "1024"], {}),
            ("sparse 4 GiB/4 MiB", ["sparse", "4096", "4"], {}),
            ("threads 8", ["hello"], {"THREADS": "8"}), ("threads 64", ["hello"], {"THREADS": "64"}),
            ("threads 8 busy", ["hello"], {"THREADS": "8", "BUSY": "1"}),
            ("tree 1x64 MiB", ["dense", "64"], {}), ("tree 8x64 MiB", ["dense", "64"], {"TREE": "8"})]
    if len(sys.argv) > 1:
        scen = [s for s in scen if s[0].split()[0] in sys.argv[1:] or s[0] in sys.argv[1:]]
    ex = exec_floor()
    print("ckpt benchmark: %d runs after one warm-up per scenario; times in ms (min / median)" % RUNS)
    print("exec floor (static binary, mean of 50): %.2f ms" % ms(ex))
    no_criu = criu_usable()
    if no_criu:
        print("CRIU: " + no_criu)
    else:
        print("CRIU: %s (%s), the same workloads without our library, second table"
              % (CRIU, subprocess.run([CRIU, "--version"], stdout=subprocess.PIPE).stdout.decode().split("\n")[0]))
    criu_rows = []
    print("checkpoint: signal to the image in place, self-check included; no-check: the same with CKPT_VERIFY=0;")
    print("pause: the longest stop the program saw; capture: the library's time from the signal to the fork")
    hdr = "%-20s %17s %17s %17s %17s %17s %10s %17s %17s %17s %17s" % ("scenario", "checkpoint", "no-check", "pause",
          "capture", "fork floor", "image MiB", "restart", "restart --lazy", "dd floor", "read floor")
    print(hdr); print("-" * len(hdr))
    for name, args, env in scen:
        one_run(args, env)                  # warm-up: page cache, first-touch
        rs = [one_run(args, env) for _ in range(RUNS)]
        nv = [one_run(args, dict(env, CKPT_VERIFY="0"), False) for _ in range(RUNS)]
        for r, n in zip(rs, nv):
            r["nocheck"] = n["ckpt"]
        def mm(k): v = [r[k] for r in rs]; return "%8.2f/%8.2f" % (ms(min(v)), ms(statistics.median(v)))
        print("%-20s %17s %17s %17s %17s %17s %10.1f %17s %17s %17s %17s" % (name, mm("ckpt"), mm("nocheck"), mm("pause"),
              mm("capture"), mm("fork"), rs[0]["size"] / 2**20, mm("restart"), mm("lazy"), mm("dd"), mm("read")))
        med = {k: statistics.median([r[k] for r in rs]) for k in rs[0]}
        if name == "hello":
            target("hello: image size", med["size"] / 1024, 256, "KiB")
            target("hello: checkpoint / exec of a static binary", med["ckpt"] / ex, 5)
            target("hello: restart / exec of a static binary", med["restart"] / ex, 5)
        if name == "hello 100 files":
            files = med
        if name == "sockets 100+100" and "files" in locals():
            print("%-20s the pause with 100 listening sockets beside 100 files: +%.3f ms (%.1f us a socket); "
                  "restart +%.2f ms (%.1f us a socket)" % ("  sockets", ms(med["pause"] - files["pause"]),
                  1e4 * (med["pause"] - files["pause"]), ms(med["restart"] - files["restart"]),
                  1e4 * (med["restart"] - files["restart"])))
        if name == "tree 1x64 MiB":
            one_proc = med
        if name == "tree 8x64 MiB" and "one_proc" in locals():
            target("tree of 8x64 MiB: pause / one such process's", med["pause"] / one_proc["pause"], 2)
            print("%-20s restart of the tree %.1f ms, of one process %.1f ms (%.2fx)" % ("  tree", ms(med["restart"]),
                  ms(one_proc["restart"]), med["restart"] / one_proc["restart"]))
        if name == "dense 1 GiB":
            target("dense 1 GiB: restart, every checksum / one cat of the image", med["restart"] / med["read"], 1.0)
            target("dense 1 GiB: restart --lazy / one cat of the image", med["lazy"] / med["read"], 0.25)
            target("dense 1 GiB: pause / fork of the same process", med["pause"] / med["fork"], 1.5)
        print("%-20s checkpoint/dd %.2f  self-check %.1f ms (%.0f%% of the checkpoint; %.1f ms by its own clock)  pause/fork %.2f  pause-fork %.2f ms  restart/read %.2f"
              "  lazy/read %.2f  ckpt/exec %.1f  restart/exec %.1f" % (
              "  ratios (median)", med["ckpt"] / med["dd"], ms(med["ckpt"] - med["nocheck"]),
              100 * (med["ckpt"] - med["nocheck"]) / med["nocheck"], ms(med["check"]), med["pause"] / med["fork"],
              ms(med["pause"] - med["fork"]), med["restart"] / med["read"],
              med["lazy"] / med["read"], med["ckpt"] / ex, med["restart"] / ex))
        if not no_criu:
            try:
                criu_run(args, env)         # warm-up
                cs = [criu_run(args, env) for _ in range(RUNS)]
                criu_rows.append((name, med, cs))
            except Exception as e:
                criu_rows.append((name, med, str(e)))
    if len(sys.argv) == 1 or "incremental" in sys.argv[1:]:
        incr_table(1024)
    if len(sys.argv) == 1 or "clocks" in sys.argv[1:]:
        clocks_table()
    if criu_rows:
        print()
        print("CRIU on the same workloads; times in ms (min / median); ratios: ours / CRIU, medians")
        print("dump: criu dump (process killed after); dump -R: --leave-running; pause: the longest stop the program saw")
        print("in the -R dump; restore: criu restore -d to the program's first output; image: bytes in the images directory")
        hdr = "%-20s %17s %17s %17s %17s %10s  %9s %9s %9s %9s %9s" % ("scenario", "dump", "dump -R", "pause", "restore",
              "image MiB", "ckpt/dump", "ckpt/-R", "pause", "restart", "image")
        print(hdr); print("-" * len(hdr))
        for name, med, cs in criu_rows:
            if isinstance(cs, str):
                print("%-20s %s" % (name, cs)); continue
            def cm(k): v = [r[k] for r in cs]; return "%8.2f/%8.2f" % (ms(min(v)), ms(statistics.median(v)))
            cmed = {k: statistics.median([r[k] for r in cs]) for k in cs[0]}
            if name == "dense 1 GiB":
                target("dense 1 GiB: checkpoint / CRIU dump", med["ckpt"] / cmed["dump"], 0.5)
            print("%-20s %17s %17s %17s %17s %10.1f  %9.3f %9.3f %9.3f %9.3f %9.3f" % (name, cm("dump"), cm("dump_lr"),
                  cm("pause"), cm("restore"), cs[0]["size"] / 2**20, med["ckpt"] / cmed["dump"], med["ckpt"] / cmed["dump_lr"],
                  med["pause"] / cmed["pause"], med["restart"] / cmed["restore"], med["size"] / cmed["size"]))
    print_targets()

main()
