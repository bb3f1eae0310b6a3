# A line server outside the image (run without the library): writes its
# port to ./port, answers each line "L" of each connection with "echo L";
# "push" is answered with "pushed" and nothing else.  Each connection in
# a thread of its own.  Besides, a datagram echo over UDP (its port the
# second word of ./port) and over a UNIX datagram socket ./echo.dgram.
#   echoserver.py
import os, socket, threading

def echo(s):
    while True:
        data, peer = s.recvfrom(4096)
        s.sendto(b"echo " + data, peer)

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if os.path.exists("echo.dgram"):
    os.unlink("echo.dgram")
d.bind("echo.dgram")
for s in (u, d):
    threading.Thread(target=echo, args=(s,), daemon=True).start()

def serve(c):
    with c, c.makefile("rb") as f:
        for line in f:
            c.sendall(b"pushed\n" if line.strip() == b"push" else b"echo " + line)

l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 0))
l.listen(8)
with open("port.tmp", "w") as f:
    f.write("%d %d\n" % (l.getsockname()[1], u.getsockname()[1]))
os.rename("port.tmp", "port")
while True:
    c, _ = l.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
