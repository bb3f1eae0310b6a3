# TCP connections with both ends in the process, over IPv4 and IPv6
# loopback: a client connected to the program's own listener, and at
# every step one message queued unread each way (so a checkpoint always
# finds bytes in both receive queues).  Prints what each end read.
#   tcpself.py [STEPS]   (40)
import socket, sys, time

STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
pairs = []
for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    l = socket.socket(family)
    l.bind((host, 0))
    l.listen(1)
    c = socket.create_connection((host, l.getsockname()[1]))
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    a, _ = l.accept()
    pairs.append((c, a))
    c.sendall(b"c0000")
    a.sendall(b"a0000")
for n in range(1, STEPS + 1):
    got = []
    for c, a in pairs:
        c.sendall(b"c%04d" % n)
        a.sendall(b"a%04d" % n)
        got += [a.recv(5, socket.MSG_WAITALL).decode(), c.recv(5, socket.MSG_WAITALL).decode()]
    print("%04d %s nodelay=%d" % (n, " ".join(got), pairs[0][0].getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)),
          flush=True)
    time.sleep(0.05)
