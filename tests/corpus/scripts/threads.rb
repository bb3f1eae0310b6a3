# ruby: three worker Threads take jobs from a Queue and hand results back
# through another (a Mutex guards a shared tally); the main thread prints
# the results of each round in order, a line per round.  N rounds from
# argv.
rounds = Integer(ARGV[0])
$stdout.sync = true
WORKERS = 3
jobs = Queue.new
results = Queue.new
lock = Mutex.new
tally = Hash.new(0)
threads = (0...WORKERS).map do |w|
  Thread.new do
    while (job = jobs.pop) != :stop
      r, part = job
      x = r * 1000 + part
      acc = 0
      3000.times do |k|
        x = (x * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        acc = (acc + (x >> 33) % (k + 7)) & 0xFFFFFFFF
      end
      s = (acc.to_s * 3).reverse
      lock.synchronize { tally[part] += 1 }
      results << [r, part, acc, s.size]
    end
  end
end
(1..rounds).each do |r|
  8.times { |part| jobs << [r, part] }
  got = Array.new(8) { results.pop }.sort
  puts "#{r} #{got.map { |_, part, acc, sz| "#{part}:#{acc}:#{sz}" }.join(' ')}"
end
WORKERS.times { jobs << :stop }
threads.each(&:join)
puts "done #{tally.sort.map { |p, c| "#{p}=#{c}" }.join(' ')} #{Thread.list.size}"
