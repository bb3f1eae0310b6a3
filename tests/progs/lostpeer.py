# A client of a server outside the image, with no CKPT_RESTART hook: it
# asks the server (echoserver.py, port in ./port) to push a line it does
# not read yet, waits for the file ./go (the checkpoint comes meanwhile),
# then reads what it has and goes on as it does when its peer dies: the
# line, end of file, a send that fails; exit status 3.
#   lostpeer.py
import os, socket, sys, time

s = socket.create_connection(("127.0.0.1", int(open("port").read().split()[0])))
s.sendall(b"hello\n")
print("reply", s.recv(100), flush=True)
s.sendall(b"push\n")
time.sleep(0.2)
print("waiting", flush=True)
while not os.path.exists("go"):
    time.sleep(0.02)
print("recv", s.recv(100), flush=True)
print("recv", s.recv(100), flush=True)
try:
    for _ in range(2):
        s.sendall(b"more\n")
    print("sent", flush=True)
except OSError as e:
    print("the server is gone:", type(e).__name__, flush=True)
    sys.exit(3)
