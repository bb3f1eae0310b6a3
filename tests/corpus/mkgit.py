#!/usr/bin/env python3
"""A git history for the corpus's version control case, the same bytes
on every machine: a git fast-import stream of N commits, each editing a
few lines of a few of 20 text files (fixed dates and names).

  mkgit.py N | git --git-dir=repo.git fast-import --quiet"""
import sys
sys.dont_write_bytecode = True   # no __pycache__ in the tree
from xorshift import xorshift

n = int(sys.argv[1])
rnd = xorshift()

WORDS = "alpha beta gamma delta checkpoint restart image page signal thread file offset".split()
files = [["%s line %d %s" % (WORDS[k % len(WORDS)], i, WORDS[(k * i) % len(WORDS)])
          for i in range(300)] for k in range(20)]
out = sys.stdout.buffer
for c in range(n):
    touched = sorted({rnd() % 20 for _ in range(1 + c % 3)})
    for f in touched:
        lines = files[f]
        for _ in range(1 + rnd() % 4):
            r = rnd()
            i = r % len(lines)
            if r >> 62 == 0 and len(lines) > 50:
                del lines[i]
            else:
                lines.insert(i, "%s %d %x" % (WORDS[(r >> 8) % len(WORDS)], c, r >> 40))
    msg = ("change %d: %s\n" % (c, " ".join(WORDS[(c * k) % len(WORDS)] for k in range(1, 6)))).encode()
    t = 1700000000 + 600 * c
    out.write(b"commit refs/heads/main\ncommitter Corpus <corpus@localhost> %d +0000\n" % t)
    out.write(b"data %d\n%s" % (len(msg), msg))
    for f in (touched if c else range(20)):
        body = ("\n".join(files[f]) + "\n").encode()
        out.write(b"M 100644 inline src/file%02d.txt\ndata %d\n%s\n" % (f, len(body), body))
    out.write(b"\n")
