# A line server outside the image (run without the library): writes its
# port to ./port, answers each line "L" of each connection with "echo L";
# "push" is answered with "pushed" and nothing else.  Each connection in
# a thread of its own.
#   echoserver.py
import os, socket, threading

def serve(c):
    with c, c.makefile("rb") as f:
        for line in f:
            c.sendall(b"pushed\n" if line.strip() == b"push" else b"echo " + line)

l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 0))
l.listen(8)
with open("port.tmp", "w") as f:
    f.write("%d\n" % l.getsockname()[1])
os.rename("port.tmp", "port")
while True:
    c, _ = l.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
