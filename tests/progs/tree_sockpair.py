# A parent and its child over two socketpairs (a stream and datagrams):
# the child sends far ahead of the parent's reading, so that messages are
# queued at any checkpoint; at the end the parent answers and the child
# prints the answer.  The child also counts its messages, and the answer,
# in an eventfd they share, which the parent reads at the end.  Numbered
# lines, one write each.
import os, socket, time

def say(line):
    os.write(1, (line + '\n').encode())

stream = socket.socketpair()
dgram = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
counter = os.eventfd(0)
pid = os.fork()
if pid == 0:
    s, d = stream[1], dgram[1]
    stream[0].close(); dgram[0].close()
    say('0000 child pid=%d' % os.getpid())
    for i in range(1, 41):
        s.sendall(b'%04d stream %d\n' % (100 + i, i * i))
        d.send(b'%04d dgram %d' % (200 + i, i * i))
        os.eventfd_write(counter, 1)
        time.sleep(0.01)
    say('0300 child got %s pid=%d' % (s.recv(100).decode(), os.getpid()))
    os.eventfd_write(counter, 1)
    os._exit(0)
s, d = stream[0], dgram[0]
stream[1].close(); dgram[1].close()
say('0001 parent pid=%d' % os.getpid())
lines = s.makefile('rb')
for i in range(1, 41):
    say(lines.readline().decode().rstrip('\n'))
    say(d.recv(100).decode())
    time.sleep(0.06)
s.sendall(b'done')
_, st = os.waitpid(pid, 0)
say('0400 parent collected child status=%d pid=%d' % (os.waitstatus_to_exitcode(st), os.getpid()))
say('0401 parent counted %d' % os.eventfd_read(counter))
