# python3 asyncio: one event loop (epoll selector, self-pipe) running
# several tasks: a ticker pacing the steps with asyncio.sleep, a producer
# and two consumers on a bounded asyncio.Queue, a heartbeat task that
# sleeps at its own pace, an asyncio.Event handed between tasks, wake-ups
# through call_soon_threadsafe (the loop's self-pipe), a reader callback on
# a pipe that keeps a byte more queued each step, and wait_for timeouts.
# Prints only what cannot depend on timing.
#   asyncio_loop.py [STEPS]   (50)
import asyncio, os, sys

STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 50


def out(n, text):
    print("%04d %s" % (n, text), flush=True)


async def producer(q, step, n):
    for k in range(n):
        await q.put(step * 10 + k)


async def consumer(q, done):
    while True:
        item = await q.get()
        if item is None:
            q.task_done()
            return
        await asyncio.sleep(0)          # let the others run between items
        done.append(item * item % 1009)
        q.task_done()


async def heartbeat(beats):
    while True:
        await asyncio.sleep(0.033)
        beats[0] += 1


async def relay(ev_in, ev_out, passed):
    # wait for one event, set the other: a hand-off between tasks
    while True:
        await ev_in.wait()
        ev_in.clear()
        passed[0] += 1
        ev_out.set()


def wake(loop, value):
    # a callback scheduled through the self-pipe, as another thread would
    fut = loop.create_future()
    loop.call_soon_threadsafe(fut.set_result, value * 3 + 1)
    return fut


async def pipe_read(loop, rfd, wfd, step):
    # 3 bytes in, 2 read by a reader callback, one more left queued
    os.write(wfd, bytes([97 + (step * 3 + k) % 26 for k in range(3)]))
    fut = loop.create_future()

    def readable():
        loop.remove_reader(rfd)
        fut.set_result(os.read(rfd, 2))
    loop.add_reader(rfd, readable)
    return (await fut).decode()


async def main():
    loop = asyncio.get_running_loop()
    q = asyncio.Queue(maxsize=3)
    done, beats, passed = [], [0], [0]
    consumers = [asyncio.create_task(consumer(q, done)) for _ in range(2)]
    hb = asyncio.create_task(heartbeat(beats))
    ping, pong = asyncio.Event(), asyncio.Event()
    rl = asyncio.create_task(relay(ping, pong, passed))
    rfd, wfd = os.pipe()
    os.set_blocking(rfd, False)
    total = 0
    for step in range(STEPS):
        await asyncio.sleep(0.1)
        n = step % 4 + 2
        await producer(q, step, n)
        await q.join()
        s = sum(done)
        total += s
        done.clear()
        woke = await wake(loop, step)
        ping.set()
        await asyncio.wait_for(pong.wait(), 5)
        pong.clear()
        got = await pipe_read(loop, rfd, wfd, step)
        extra = ""
        if step % 10 == 9:
            try:
                await asyncio.wait_for(asyncio.sleep(10), 0.02)
                extra = " wait_for finished?"
            except asyncio.TimeoutError:
                extra = " wait_for timeout"
        out(step, "items %d sum %d woke %d relayed %d pipe %s tasks %d heartbeat %s%s"
            % (n, s, woke, passed[0], got, len(asyncio.all_tasks()),
               "alive" if not hb.done() else "dead", extra))
    for _ in consumers:
        await q.put(None)
    await asyncio.gather(*consumers)
    hb.cancel()
    rl.cancel()
    await asyncio.gather(hb, rl, return_exceptions=True)
    left = len(os.read(rfd, 1000))
    out(STEPS, "done: total %d relayed %d pipe left %d tasks %d"
        % (total, passed[0], left, len(asyncio.all_tasks())))


asyncio.run(main())
