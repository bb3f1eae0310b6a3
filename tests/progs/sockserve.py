# A server on every kind of socket a restart makes again, all watched by
# one epoll (selectors.EpollSelector): TCP over IPv4 (SO_REUSEADDR,
# SO_KEEPALIVE, TCP_NODELAY, a SO_RCVBUF of its own, non-blocking) and
# IPv6 (IPV6_V6ONLY, SO_REUSEPORT), a TCP one with a backlog of 0, UDP over both, a UNIX stream socket
# on a relative path, a UNIX seqpacket one in the abstract namespace and
# a UNIX datagram one on a path.  Each stream connection gets one answer
# to one request and is closed: "opts" lists every socket's options as
# the program reads them back, anything else is echoed; a datagram is
# echoed to its sender.  Writes the addresses to ./ports, then "ready".
#   sockserve.py
import os, selectors, socket, sys

S = socket.SOL_SOCKET


def tcp(family, host, *opts, backlog=7):
    s = socket.socket(family, socket.SOCK_STREAM)
    for level, name, value in opts:
        s.setsockopt(level, name, value)
    s.bind((host, 0))
    s.listen(backlog)
    return s


def udp(family, host):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((host, 0))
    return s


def unix(kind, name):
    s = socket.socket(socket.AF_UNIX, kind)
    s.bind(name)
    if kind != socket.SOCK_DGRAM:
        s.listen(3)
    return s


socks = {
    "tcp4": tcp(socket.AF_INET, "127.0.0.1", (S, socket.SO_REUSEADDR, 1), (S, socket.SO_KEEPALIVE, 1),
                (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1), (S, socket.SO_RCVBUF, 65536)),
    "tcp0": tcp(socket.AF_INET, "127.0.0.1", backlog=0),
    "tcp6": tcp(socket.AF_INET6, "::1", (socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1), (S, socket.SO_REUSEPORT, 1)),
    "udp4": udp(socket.AF_INET, "127.0.0.1"),
    "udp6": udp(socket.AF_INET6, "::1"),
    "stream": unix(socket.SOCK_STREAM, "stream.sock"),
    "seqpacket": unix(socket.SOCK_SEQPACKET, "\0ckpt-test-seqpacket-%d" % os.getpid()),
    "dgram": unix(socket.SOCK_DGRAM, "dgram.sock"),
}
socks["tcp4"].setblocking(False)


def opts(name, s):
    get = lambda level, opt: s.getsockopt(level, opt)
    line = "%s %s reuseaddr=%d reuseport=%d keepalive=%d rcvbuf=%d blocking=%d inheritable=%d" % (
        name, s.getsockname(), get(S, socket.SO_REUSEADDR), get(S, socket.SO_REUSEPORT),
        get(S, socket.SO_KEEPALIVE), get(S, socket.SO_RCVBUF), s.getblocking(), s.get_inheritable())
    if s.family == socket.AF_INET6:
        line += " v6only=%d" % get(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)
    if s.family != socket.AF_UNIX and s.type == socket.SOCK_STREAM:
        line += " nodelay=%d acceptconn=%d" % (get(socket.IPPROTO_TCP, socket.TCP_NODELAY),
                                               get(S, socket.SO_ACCEPTCONN))
    return line


def answer(request):
    if request.strip() == b"opts":
        return ("\n".join(opts(n, s) for n, s in sorted(socks.items())) + "\n").encode()
    return b"echo " + request


sel = selectors.EpollSelector()
for name, s in socks.items():
    sel.register(s, selectors.EVENT_READ, name)
with open("ports.tmp", "w") as f:
    f.write("%d %d %s\n" % (socks["tcp4"].getsockname()[1], socks["tcp6"].getsockname()[1],
                            " ".join(str(socks[k].getsockname()[1]) for k in ("udp4", "udp6"))))
    f.write(socks["seqpacket"].getsockname()[1:].decode() + "\n")
os.rename("ports.tmp", "ports")
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        s = key.fileobj
        if s.type == socket.SOCK_DGRAM:
            data, peer = s.recvfrom(4096)
            s.sendto(answer(data), peer)
            continue
        try:
            c, _ = s.accept()
        except BlockingIOError:
            continue
        c.setblocking(True)
        c.sendall(answer(c.recv(4096)))
        c.close()
