# A pre-fork server: one listener (SO_REUSEADDR), two worker processes
# that accept on it, each answering "worker N" and closing; the parent
# waits.  Writes the port to ./port.
#   prefork.py
import os, socket, time

l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 0))
l.listen(5)
for w in range(2):
    if os.fork() == 0:
        while True:
            c, _ = l.accept()
            c.sendall(b"worker %d\n" % w)
            c.close()
with open("port.tmp", "w") as f:
    f.write("%d\n" % l.getsockname()[1])
os.rename("port.tmp", "port")
print("ready", flush=True)
while True:
    time.sleep(1)
