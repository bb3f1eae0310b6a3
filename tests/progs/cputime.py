# python3's CPU clocks across restarts: time.process_time() (clock_gettime
# of CLOCK_PROCESS_CPUTIME_ID) and time.thread_time() (of
# CLOCK_THREAD_CPUTIME_ID) never go back; between two readings the
# program computes, so each grows.
import sys, time
prev_p = prev_t = -1.0
for step in range(40):
    end = time.monotonic() + 0.03
    while time.monotonic() < end:
        pass
    p, t = time.process_time(), time.thread_time()
    print("%04d process_time %s, thread_time %s" % (step, "goes on" if p > prev_p else "WENT BACK",
          "goes on" if t > prev_t else "WENT BACK"))
    sys.stdout.flush()
    prev_p, prev_t = p, t
    time.sleep(0.02)
