# python3 threading: a producer and two consumers on a queue.Queue, the
# main thread printing what was done, in order.
import queue, sys, threading, time

q, results, lock = queue.Queue(), {}, threading.Lock()

def consumer(k):
    while True:
        item = q.get()
        if item is None:
            break
        with lock:
            results[item] = (item * item + k * 0) % 10007
        q.task_done()

workers = [threading.Thread(target=consumer, args=(k,)) for k in range(2)]
for w in workers:
    w.start()
for step in range(40):
    for i in range(20):
        q.put(step * 20 + i)
    q.join()
    with lock:
        s = sum(results[step * 20 + i] for i in range(20))
    print("%04d batch %d sum %d threads %d" % (step, step, s, threading.active_count()), flush=True)
    time.sleep(0.04)
for w in workers:
    q.put(None)
for w in workers:
    w.join()
print("%04d joined" % 40, flush=True)
