# perl: the same kind of computation, with a hash and string work.
use strict; use warnings;
$| = 1;
my $n = $ARGV[0];
my ($h, %seen, $s) = (0);
for my $i (1 .. $n) {
    $h = ($h * 31 + $i * 7) % 1000000007;
    $seen{$h % 9973}++;
    $s = join('', reverse split //, sprintf('%09d', $h)) if $i % 100 == 0;
    print "$i $h ", scalar(keys %seen), " $s\n" if $i % 4000 == 0;
}
