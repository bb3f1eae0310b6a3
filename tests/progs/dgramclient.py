# Connected datagram sockets to servers outside the image (echoserver.py
# in the same directory): a UDP one and a UNIX one bound to its own path;
# a restart binds and connects them again.  Each step sends one datagram
# on each and prints the answers.
#   dgramclient.py [STEPS]   (30)
import os, socket, sys, time

STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 30
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.connect(("127.0.0.1", int(open("port").read().split()[1])))
unix = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if os.path.exists("client.dgram"):
    os.unlink("client.dgram")
unix.bind("client.dgram")
unix.connect("echo.dgram")
for s in (udp, unix):
    s.settimeout(2)

# as a datagram client does: a request whose answer does not come is sent
# again (one in flight at the checkpoint, answered before the kill, is
# lost with the killed process's queue), and an answer to an earlier
# request is passed over
def ask(s, n):
    for _ in range(5):
        s.send(b"%d" % n)
        try:
            while True:
                a = s.recv(100).decode()
                if a == "echo %d" % n:
                    return a
        except TimeoutError:
            pass
    return "no answer"

for n in range(1, STEPS + 1):
    got = [ask(s, n) for s in (udp, unix)]
    print("%04d %s | %s | peer %s" % (n, got[0], got[1], unix.getpeername()), flush=True)
    time.sleep(0.05)
