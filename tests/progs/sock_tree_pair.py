# Socketpairs between two processes of a tree: a parent and its child
# talk over a stream pair (multiprocessing.Pipe's duplex kind) and a
# datagram pair, each side one message ahead of the other, so that a
# checkpoint always finds bytes in all four queues.  The parent prints
# what it read: the child's step and what the child had read.
#   tree_sockpair.py [STEPS]   (40)
import os, socket, sys, time

STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
ps, cs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
pd, cd = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
if os.fork() == 0:
    ps.close(); pd.close()
    cs.sendall(b"c0000:p----q----"); cd.send(b"d0000")
    for n in range(1, STEPS + 1):
        got = cs.recv(5, socket.MSG_WAITALL) + cd.recv(100)
        cs.sendall(b"c%04d:" % n + got); cd.send(b"d%04d" % n)
    cs.recv(5, socket.MSG_WAITALL); cd.recv(100)     # the parent's last
    os._exit(0)
cs.close(); cd.close()
ps.sendall(b"p0000"); pd.send(b"q0000")
for n in range(1, STEPS + 1):
    ps.sendall(b"p%04d" % n); pd.send(b"q%04d" % n)
    got = ps.recv(16, socket.MSG_WAITALL).decode() + " " + pd.recv(100).decode()
    print("%04d parent read %s" % (n, got), flush=True)
    time.sleep(0.05)
os.wait()
