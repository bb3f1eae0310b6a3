# A parent with an unreaped zombie, a child in its own session and one
# in its own process group, all counting; at the end the parent collects
# each one's status.  The parent leads a session of its own, so that the
# whole tree's sessions and groups are its own.  Numbered lines; pids at
# the start and at the end, groups and sessions as whose they are.
import os, sys, time

# one write per line: print() writes a line's text and its newline apart,
# and the lines of several processes would interleave in the file
def say(line):
    os.write(1, (line + '\n').encode())

os.setsid()
top = os.getpid()

def whose(v, me):
    return 'self' if v == me else 'top' if v == top else 'other'

def ids(tag, base):
    me = os.getpid()
    say('%04d %s pid=%d pgid=%s sid=%s' % (base, tag, me, whose(os.getpgid(0), me), whose(os.getsid(0), me)))

def count(tag, base, n):
    for i in range(n):
        say('%04d %s %d' % (base + i, tag, i * i))
        time.sleep(0.05)

def child(setup, tag, base, code):
    pid = os.fork()
    if pid == 0:
        setup()
        ids(tag, base)
        count(tag, base + 1, 40)
        ids(tag, base + 41)
        os._exit(code)
    return pid

zombie = os.fork()
if zombie == 0:
    os._exit(5)
say('0000 parent pid=%d zombie-pid=%d' % (top, zombie))
s = child(os.setsid, 'session', 100, 3)
g = child(lambda: os.setpgid(0, 0), 'group', 200, 4)
count('parent', 1, 30)
for k, (name, pid) in enumerate((('session', s), ('group', g), ('zombie', zombie))):
    _, st = os.waitpid(pid, 0)
    say('%04d parent collected %s status=%d' % (40 + k, name, os.waitstatus_to_exitcode(st)))
ids('parent', 50)
