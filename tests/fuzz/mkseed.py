#!/usr/bin/env python3
"""Writes a tiny valid ckpt image (format 9, x86-64) for the fuzzer's seed
corpus: one anonymous region with one stored page, the mandatory records
(one thread), a file fd, a pipe's two ends, an epoll watching one and a
TCP listener; with --tree, a process tree's record too.  Mirrors
common/image.h and arch/x86_64/machine.h; `myrestart
--check` must accept it."""
import os, struct, sys, zlib
sys.dont_write_bytecode = True   # no __pycache__ in the tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'progs'))
from crc32c import crc32c

def rec(t, payload):
    pad = (-len(payload)) % 8
    return struct.pack('<II', t, len(payload)) + payload + b'\0' * pad

PAGE = 4096
start, end = 0x10000000, 0x10002000
data = bytes(range(256)) * 16                      # one page
info = struct.pack('<QiI16s256s256s256sIIII', 0, 42, 1, b'seed', b'/seed', b'/', b'seed\0', 5, 0, 0, 0)
regs = struct.pack('<6Q3Q2QII', 0, 0, 0, 0, 0, 0, end - 64, start, 0x202, 0, 0, 0x1f80, 0x37f)
xarea = b'\0' * 24 + struct.pack('<I', 0x1f80) + b'\0' * (512 - 28)
# one thread, the leader: tid, flags, tid address, robust list, rseq, comm,
# registers, then the extended state's header and its fxsave area
thread = (struct.pack('<iIQQQQII16s', 42, 1, 0, 0, 0, 0, 0, 0, b'seed') + regs +
          struct.pack('<QII', 0, 512, 0) + xarea)
mm = struct.pack('<11Q', *([0] * 11)) + b'\0' * 512 + struct.pack('<II', 0, 0)
proc = (struct.pack('<II', 0o22, 12) + b'\0' * 48 + struct.pack('<QQ', 2**64 - 1, 2**64 - 1) * 16 +
        struct.pack('<Q', 0) + struct.pack('<iIIIIIIIQQII', 0, 0, 0, 0, 0, 0, 0, 1, 50000, 0, 0, 0) +
        b'/' + b'\0' * 4095)
sigs = b'\0' * (64 * 32) + struct.pack('<Q', 0)
name = b'seed\0'
region = struct.pack('<QQIIIIQQQQQQqII20sIII', start, end, 7, 1, 0, 1, PAGE, PAGE, 0, 0, 0,
                     0, 0, 0, 0, b'', 0, crc32c(data), len(name)) + struct.pack('<QQ', 1, 1) + name

def fd(num, kind, flags, path, peer=-1, aux=0, watches=b''):
    return (struct.pack('<iIIIQQQQqIIQII', num, kind, flags, 1, 0, 0, 0, 0, 0, 0, 0o20666, 0, 0, len(path)) +
            struct.pack('<iI3Q', peer, aux, 0, 0, 0) + watches + path)

fds = (rec(7, fd(3, 1, 2, b'/dev/null\0')) + rec(7, fd(4, 5, 0, b'pipe:[1]\0', 5, 65536)) +
       rec(7, fd(5, 5, 1, b'pipe:[1]\0', 4, 65536)) +
       rec(7, fd(6, 10, 2, b'anon_inode:[eventpoll]\0', -1, 1, struct.pack('<iIQ', 4, 1, 0x1234))))
# a TCP listener on 127.0.0.1:8765 (family, type, protocol, state LISTEN,
# backlog, SO_REUSEADDR, buffers, the name's length, no peer, nothing
# queued, pad; the names)
sockaddr = struct.pack('<H', 2) + struct.pack('>H', 8765) + bytes([127, 0, 0, 1]) + b'\0' * 8
fds += rec(7, fd(7, 13, 2, b'socket:[2]\0', -1, 0,
                 struct.pack('<12I112s112s', 2, 1, 6, 3, 5, 1, 131072, 16384, 16, 0, 0, 0, sockaddr, b'')))
# a POSIX timer: id 0, CLOCK_MONOTONIC, SIGEV_SIGNAL with SIGALRM, 1 s left, every 0.5 s
timer = struct.pack('<iiIIQiIQQ', 0, 1, 0, 14, 0, -1, 0, 10**9, 5 * 10**8)
# file locks (fd, kind, type, pad, start, len): a shared flock on fd 3, a
# POSIX write lock on bytes 0-99 of fd 3, an OFD read lock from byte 200 on
locks = (rec(12, struct.pack('<iIIIQQ', 3, 1, 0, 0, 0, 0)) + rec(12, struct.pack('<iIIIQQ', 3, 2, 1, 0, 0, 100)) +
         rec(12, struct.pack('<iIIIQQ', 3, 3, 0, 0, 200, 0)))
# --tree: a TREE record (the owner alone) with one object of each kind:
# a pipe with 3 bytes in flight, shared memory, a file at offset 10, a
# stream socketpair, an eventfd at 5
tree = b''
if '--tree' in sys.argv[1:]:
    member = struct.pack('<iiiiIiQ64s64s', 42, 1, 42, 42, 0, 0, 0, b'', b'seed')
    objs = [(1, 3, 65536, 0, 7, 0), (2, 0, 4096, 1, 2, 0), (6, 6, 10, 3, 4, 0), (4, 0, 1, 9, 8, 0), (7, 0, 5, 0, 0, 0)]
    tfds = [(0, 0, 7, 0, 0), (0, 2, 8, 2, 1), (0, 3, 9, 2, 0), (0, 3, 10, 2, 4), (0, 4, 11, 2, 0)]
    tree = rec(13, struct.pack('<IIII', 0x5eed, 1, len(objs), len(tfds)) + member +
               b''.join(struct.pack('<IIQQQII', k, n, sz, dv, ino, aux, 0) for k, n, sz, dv, ino, aux in objs) +
               b''.join(struct.pack('<HHiII', *t) for t in tfds) +
               b'xyz' + b'/seed\0')
records = (rec(1, info) + tree + rec(2, thread) + rec(5, mm) + rec(8, proc) + rec(9, sigs) +
           rec(4, region) + fds + locks + rec(11, timer) + rec(6, b''))
records_off = PAGE + PAGE
# ... records_crc, depth 0 (a full image), id, parent id 0, pad, header_crc
hdr = struct.pack('<8sIIIIII QQQQQ II QQ II', b'CKPTIMG\n', 9, 104, PAGE, 0, 62, 16 + (tree != b''),
                  records_off, len(records), PAGE, PAGE, records_off + len(records),
                  crc32c(records), 0, 0x5eed, 0, 0, 0)
hdr = hdr[:-4] + struct.pack('<I', crc32c(hdr))
img = hdr + b'\0' * (PAGE - len(hdr)) + data + records
sys.stdout.buffer.write(img)
