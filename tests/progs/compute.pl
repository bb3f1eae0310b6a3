# perl computing something: a hash, string building and arithmetic.
use strict; use warnings; use Time::HiRes qw(sleep);
$| = 1;
my (%h, $s, $x) = ((), '', 1);
for my $step (0 .. 39) {
    $h{"k$_"} = $_ * $step for 0 .. 200;
    $s .= chr(65 + $step % 26);
    $x = ($x * 48271) % 2147483647;
    my $sum = 0; $sum += $h{$_} for keys %h;
    printf "%04d sum %d len %d x %d tail %s\n", $step, $sum, length($s), $x, substr($s, -5);
    sleep(0.04);
}
