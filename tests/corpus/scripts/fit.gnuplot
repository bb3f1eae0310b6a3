# gnuplot: rounds of its own numerics, a line per round: a sum of a
# series, a nonlinear least-squares fit (Marquardt-Levenberg) of a model
# to data it samples, and a sampled table of the fitted function written
# to a file.  The rounds in `n`, the samples in `m` (gnuplot -e "n=...; m=...").
set print "-"
set fit quiet
set fit logfile "/dev/null"
set samples m
set table "table.txt"
f(x) = a * exp(-b * x) * cos(c * x) + d
g(x, r) = 2.5 * exp(-0.3 * x) * cos((1.5 + 0.01 * r) * x) + 0.1 * (int(x * 37) % 7 - 3) / 3.
do for [r = 1:n] {
	s = sum [k = 1:20000] sin(k * r * 0.001) / k
	a = 2.0; b = 0.2; c = 1.4; d = 0.01
	fit [0:20] f(x) "+" using 1:(g($1, r)) via a, b, c, d
	plot [0:20] f(x) * r
	print sprintf("%d %.10f %.6f %.6f %.6f %.6f", r, s, a, b, c, d)
}
