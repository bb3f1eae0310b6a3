# ruby: a large hash built in rounds (string keys, arrays as values, the
# garbage collector busy), a line per round; N steps from argv.  No
# Threads (interp-threads.rb has them).
n = Integer(ARGV[0])
$stdout.sync = true
h = {}
x = 0
sum = 0
(1..n).each do |i|
  x = (x * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
  k = "k#{x % 200_003}"
  (h[k] ||= []) << (i & 0xFFFF)
  h[k].shift if h[k].size > 8
  sum = (sum * 31 + h[k].sum + k.size) & 0xFFFFFFFF
  if i % 5_000 == 0
    puts "#{i} #{h.size} #{sum} #{h[k].inspect}"
  end
end
puts "done #{h.size} #{h.each_value.sum(&:size)} #{sum}"
