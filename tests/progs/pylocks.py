# python's file locks across checkpoints: fcntl.flock (exclusive) on
# "pyflock" and fcntl.lockf (a POSIX write lock on bytes 5-14) on
# "pylockf"; a numbered line every 50 ms; "unlock" appearing releases
# both ("unlocked"), "stop" ends it.
import fcntl, os, sys, time

a = open("pyflock", "a+")
b = open("pylockf", "a+")
fcntl.flock(a, fcntl.LOCK_EX | fcntl.LOCK_NB)
fcntl.lockf(b, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 5, os.SEEK_SET)
held = True
n = 0
while not os.path.exists("stop"):
    if held and os.path.exists("unlock"):
        fcntl.flock(a, fcntl.LOCK_UN)
        fcntl.lockf(b, fcntl.LOCK_UN, 10, 5, os.SEEK_SET)
        held = False
        print("%04d unlocked" % n, flush=True)
    else:
        print("%04d %s" % (n, "holding" if held else "released"), flush=True)
        time.sleep(0.05)
    n += 1
