# The client of sockserve.py (run in its directory): one request to
# each of its sockets, the answers printed in a fixed order; exit 1 if
# any is not answered within TIMEOUT seconds.
#   sockclient.py [TIMEOUT]   (5)
import socket, sys

TIMEOUT = float(sys.argv[1]) if len(sys.argv) > 1 else 5
tcp4, tcp6, udp4, udp6 = (int(p) for p in open("ports").readline().split())
abstract = "\0" + open("ports").readlines()[1].strip()


def stream(family, kind, addr, request):
    s = socket.socket(family, kind)
    s.settimeout(TIMEOUT)
    s.connect(addr)
    s.sendall(request)
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            return out.decode()
        out += b


def dgram(family, addr, request, bind=None):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.settimeout(TIMEOUT)
    if bind:
        s.bind(bind)
    s.sendto(request, addr)
    return s.recv(4096).decode()


try:
    print(stream(socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", tcp4), b"opts"), end="")
    print(stream(socket.AF_INET6, socket.SOCK_STREAM, ("::1", tcp6), b"tcp6"))
    print(stream(socket.AF_UNIX, socket.SOCK_STREAM, "stream.sock", b"stream"))
    print(stream(socket.AF_UNIX, socket.SOCK_SEQPACKET, abstract, b"seqpacket"))
    print(dgram(socket.AF_INET, ("127.0.0.1", udp4), b"udp4"))
    print(dgram(socket.AF_INET6, ("::1", udp6), b"udp6"))
    print(dgram(socket.AF_UNIX, "dgram.sock", b"dgram", "\0ckpt-test-client-%d" % id(TIMEOUT)))
except OSError as e:
    print("failed:", e)
    sys.exit(1)
