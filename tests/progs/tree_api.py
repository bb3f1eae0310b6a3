# A child that checkpoints with ckpt_checkpoint() (the library's API,
# through ctypes): the owner, its parent, takes the tree's checkpoint.
# The child prints what the call answered (0 at the checkpoint, 1 after
# a restart), then both count a little.
import ctypes, os, time
pid = os.fork()
if pid == 0:
    time.sleep(0.3)
    r = ctypes.CDLL(None).ckpt_checkpoint()
    os.write(1, b'child ckpt=%d\n' % r)
    time.sleep(1)
    os._exit(3)
_, st = os.waitpid(pid, 0)
os.write(1, b'parent collected %d\n' % os.waitstatus_to_exitcode(st))
