<?php
// php: arrays that grow, strings built and hashed, sorting; a line per
// round; N steps from argv.
$n = (int)$argv[1];
$h = 0; $seen = []; $words = [];
for ($i = 1; $i <= $n; $i++) {
    $h = ($h * 1000003 + $i * $i) % 2147483647;
    $k = $h % 10007;
    $seen[$k] = ($seen[$k] ?? 0) + 1;
    $words[] = sprintf("%x", $h % 65521);
    if ($i % 5000 == 0) {
        sort($words, SORT_STRING);
        $words = array_slice(array_unique($words), 0, 500);
        printf("%d %d %d %d %s\n", $i, $h, count($seen), max($seen), substr(md5(implode(',', $words)), 0, 12));
    }
}
echo "done ", count($seen), " ", array_sum($seen), "\n";
