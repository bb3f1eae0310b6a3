# awk over a large text file: word counts and running sums, printed every
# 20000 lines, the top words at the end.
{
	for (k = 1; k <= NF; k++) { c[$k]++; t += length($k) }
	if (NR % 20000 == 0) { printf "%d %d %d\n", NR, t, length(c); fflush() }
}
END {
	n = 0
	for (w in c) if (c[w] > 2000) n++
	print "words over 2000:", n, "distinct:", length(c)
}
