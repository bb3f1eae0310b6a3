# python3: a deterministic computation that prints as it goes (a sieve,
# a running hash, a dictionary that grows), N steps from argv.
import sys

n = int(sys.argv[1])
h, seen = 0, {}
for i in range(1, n + 1):
    h = (h * 1000003 + i * i) % (1 << 61)
    seen[h % 10007] = seen.get(h % 10007, 0) + 1
    if i % 2000 == 0:
        print(i, h, len(seen), max(seen.values()), flush=True)
