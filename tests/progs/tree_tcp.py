# TCP connections over loopback (IPv4 and IPv6) between two processes of
# a tree: the parent listens, its child connects, each side one message
# ahead of the other, so that a checkpoint finds bytes queued both ways.
# The parent prints what it read: the child's step and what it had read.
#   tree_tcp.py [STEPS]   (40)
import os, socket, sys, time

STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
ends = []
for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    l = socket.socket(family)
    l.bind((host, 0))
    l.listen(1)
    ends.append((l, (host, l.getsockname()[1])))
if os.fork() == 0:
    conns = [socket.create_connection(addr) for _, addr in ends]
    for c in conns:
        c.sendall(b"c0000:p----")
    for n in range(1, STEPS + 1):
        for c in conns:
            c.sendall(b"c%04d:" % n + c.recv(5, socket.MSG_WAITALL))
    for c in conns:
        c.recv(5, socket.MSG_WAITALL)              # the parent's last
    os._exit(0)
conns = [l.accept()[0] for l, _ in ends]
for l, _ in ends:
    l.close()
for c in conns:
    c.sendall(b"p0000")
for n in range(1, STEPS + 1):
    got = []
    for c in conns:
        c.sendall(b"p%04d" % n)
        got.append(c.recv(11, socket.MSG_WAITALL).decode())
    print("%04d parent read %s" % (n, " ".join(got)), flush=True)
    time.sleep(0.05)
os.wait()
