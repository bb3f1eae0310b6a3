# python3: a program that holds file locks while it works, and checks
# every round that it still holds them: a flock(2) lock and an open file
# description lock (F_OFD_SETLKW) on lock.a, both tried from a second
# open file description (they conflict even within one process), and a
# POSIX record lock (lockf) on journal.txt, found in /proc/locks under
# this process's id.  Each round appends a record to the journal under
# its locks and prints what it found; N rounds from argv.
import errno, fcntl, os, struct, sys

n = int(sys.argv[1])
a = os.open("lock.a", os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(a, fcntl.LOCK_EX)
ofd = os.open("lock.a", os.O_RDWR)
# struct flock: type, whence, start, len, pid (0 for OFD locks)
fcntl.fcntl(ofd, fcntl.F_OFD_SETLKW, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0))
j = open("journal.txt", "a")
fcntl.lockf(j, fcntl.LOCK_EX)
ino = os.fstat(j.fileno()).st_ino


def flock_held():
    b = os.open("lock.a", os.O_RDWR)
    try:
        fcntl.flock(b, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        return e.errno == errno.EWOULDBLOCK
    finally:
        os.close(b)
    return False


def ofd_held():
    b = os.open("lock.a", os.O_RDWR)
    try:
        r = fcntl.fcntl(b, fcntl.F_OFD_GETLK, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0))
        return struct.unpack("hhqqi4x", r)[0] == fcntl.F_WRLCK
    finally:
        os.close(b)


def posix_held():
    # /proc/locks names the kernel's pid, which /proc/self is (after a
    # restart getpid() answers the checkpoint's); a second open file
    # would not do: its close drops the process's POSIX locks on the file
    me = os.readlink("/proc/self")
    with open("/proc/locks") as f:
        for line in f:
            w = line.split()
            if w[1] == "POSIX" and w[4] == me and w[5].split(":")[-1] == str(ino):
                return True
    return False


h = 0
for r in range(1, n + 1):
    for i in range(20000):
        h = (h * 1000003 + i * r) % (1 << 61)
    j.write("%d %x\n" % (r, h))
    j.flush()
    print(r, h % 1000003, "flock" if flock_held() else "FLOCK LOST",
          "ofd" if ofd_held() else "OFD LOST", "posix" if posix_held() else "POSIX LOST", flush=True)
print("done", h)
