# A parent and a child that blocks the checkpoint signal once the file
# named in argv[1] exists, by a raw system call that the library does not
# see (so that a tree's stop waits for it); both count.
import ctypes, os, signal, sys, time
pid = os.fork()
tag = 'child' if pid == 0 else 'parent'
# one write per line (print() writes the text and its newline apart)
if pid == 0:
    os.write(1, b'child pid=%d\n' % os.getpid())
for i in range(100000):
    if pid == 0 and i and os.path.exists(sys.argv[1]):
        mask = ctypes.c_ulong(1 << (signal.SIGUSR2 - 1))
        ctypes.CDLL(None).syscall(14, 0, ctypes.byref(mask), None, 8)   # rt_sigprocmask(SIG_BLOCK)
        os.write(1, b'blocked\n')
        while True:
            time.sleep(1)
    os.write(1, b'%s %d\n' % (tag.encode(), i))
    time.sleep(0.05)
