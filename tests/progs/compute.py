# python3 computing something: primes, a dict and big integers, step by step.
import sys, time
primes, n, fact, d = [], 2, 1, {}
for step in range(40):
    while len(primes) < (step + 1) * 50:
        if all(n % p for p in primes if p * p <= n):
            primes.append(n)
        n += 1
    fact *= step + 1
    d[step] = sum(primes) % 1000003
    print("%04d primes %d last %d fact %d dict %d" % (step, len(primes), primes[-1], fact % 999983, sum(d.values())))
    sys.stdout.flush()
    time.sleep(0.04)
