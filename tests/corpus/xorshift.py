"""xorshift64*, the corpus's generator of its own (not the interpreter's,
whose algorithm may change): the same bits on every machine.  Used by
mkinput.py and mkgit.py."""

def xorshift(state=0x9E3779B97F4A7C15):
    """a function that returns 64 deterministic bits a call"""
    def rnd():
        nonlocal state
        state ^= state >> 12
        state ^= (state << 25) & 0xFFFFFFFFFFFFFFFF
        state ^= state >> 27
        return (state * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF
    return rnd
