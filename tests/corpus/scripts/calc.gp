\\ pari-gp: number theory and high-precision numerics in rounds, a line
\\ per round: factoring, a prime count, a numerical integral and a zeta
\\ value at the round's precision.  N rounds in the variable n (set by
\\ the driver that reads this file).
default(realprecision, 100);
{
my(s = 0, x = 2^61 - 1);
for (r = 1, n,
  x = (x * 6364136223846793005 + 1442695040888963407) % 2^64;
  f = factor(x * (x \ 2^(r % 23) + r));
  s = (s + #f~ + primepi(20000 + 37 * r)) % 1000000007;
  i = intnum(t = 0, 1, sin(t * r) / (1 + t^2));
  z = zeta(2 + r / 7.);
  print(r, " ", s, " ", f[#f~, 1], " ", i, " ", z);
);
print("done ", s);
}
\q
