#!/usr/bin/env python3
"""The corpus's inputs, the same bytes on every machine (a fixed-seed
generator of our own, not the interpreter's, whose algorithm may change):

  mkinput.py DIR SCALE

writes into DIR: words.txt (SCALE x 1 MiB of text lines), data.bin
(SCALE x 1 MiB of pseudo-random bytes, half compressible), records.json
(one JSON object per line) and nums.csv."""
import os, sys
sys.dont_write_bytecode = True   # no __pycache__ in the tree
from xorshift import xorshift

d, scale = sys.argv[1], float(sys.argv[2])
os.makedirs(d, exist_ok=True)
rnd = xorshift()

WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
         "sigma tau upsilon phi chi psi omega checkpoint restart image region page signal kernel "
         "memory process thread file offset journal").split()
target = int(scale * (1 << 20))

with open(os.path.join(d, "words.txt"), "w") as f:
    n, line = 0, 0
    while n < target:
        r = rnd()
        s = "%07d %s\n" % (line, " ".join(WORDS[(r >> (6 * k)) % len(WORDS)] for k in range(1 + r % 9)))
        f.write(s)
        n += len(s)
        line += 1

with open(os.path.join(d, "data.bin"), "wb") as f:
    n = 0
    while n < target:
        block = bytearray()
        for _ in range(512):
            r = rnd()
            block += r.to_bytes(8, "little") if r & 1 else bytes([r >> 56]) * 8
        f.write(block)
        n += len(block)

with open(os.path.join(d, "records.json"), "w") as f:
    n, i = 0, 0
    while n < target:
        r = rnd()
        s = '{"id": %d, "name": "%s", "score": %d, "tags": ["%s", "%s"], "ok": %s}\n' % (
            i, WORDS[r % len(WORDS)], r % 1000, WORDS[(r >> 8) % len(WORDS)],
            WORDS[(r >> 16) % len(WORDS)], "true" if r & 1 else "false")
        f.write(s)
        n += len(s)
        i += 1

with open(os.path.join(d, "nums.csv"), "w") as f:
    n, i = 0, 0
    while n < target // 4:
        r = rnd()
        s = "%d,%d,%d,%d\n" % (i, r % 100000, (r >> 20) % 1000, (r >> 40) % 7)
        f.write(s)
        n += len(s)
        i += 1
