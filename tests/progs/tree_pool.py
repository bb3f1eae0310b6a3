# python3 multiprocessing: a Pool(2) with the fork start method, a map
# over a range in order; numbered lines, the pids of the parent and of
# both workers at the start and at the end, and the parent's threads as
# the kernel lists them (/proc/self/task: after a restart, the tree's
# own /proc, so the tids are what the kernel says, not what we answer).
import multiprocessing as mp, os, sys, time

def tasks():
    return '[%s]' % ','.join(sorted(os.listdir('/proc/self/task'), key=int))

def work(x):
    time.sleep(0.02)
    return x * x, os.getpid()

if __name__ == '__main__':
    mp.set_start_method('fork')
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with mp.Pool(2) as pool:
        workers = sorted(p.pid for p in pool._pool)
        print('%04d parent pid=%d workers=%s tasks=%s' % (0, os.getpid(), workers, tasks()), flush=True)
        total, seen, line = 0, set(), 1
        for i, (r, pid) in enumerate(pool.imap(work, range(n), chunksize=1)):
            total += r
            seen.add(pid)
            if i % 10 == 9:
                print('%04d i=%d total=%d' % (line, i, total), flush=True)
                line += 1
        print('%04d parent pid=%d workers=%s tasks=%s answered=%s' % (line, os.getpid(),
              sorted(p.pid for p in pool._pool), tasks(), sorted(seen) == workers), flush=True)
