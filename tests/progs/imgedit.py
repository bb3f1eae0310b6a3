#!/usr/bin/python3
# imgedit.py IN OUT WHAT: a copy of a ckpt image with its record table
# edited and its checksums made right again, as an image from another
# machine would be; prints what it changed (tests/machine-tests.sh, the
# Slurm test).
#   xstate  every thread record needs one more XCR0 component: the
#           lowest from bit 2 up that the image's (this CPU's) lacks;
#           prints its name
#   vdso    the [vdso] region a page shorter (another kernel's size);
#           prints the old and new sizes
#   vdsoid  the [vdso]'s build-id another (another kernel's build, the
#           same size); prints the first 8 bytes of the new one in hex
#   machine the header's ELF machine 183 (aarch64's: another machine's
#           image); prints 183
import struct, sys
sys.dont_write_bytecode = True   # no __pycache__ in the tree
from crc32c import crc32c
names = ("x87 sse avx mpx-bndregs mpx-bndcsr avx512-opmask avx512-zmm_hi256 avx512-hi16_zmm pt pkru pasid "
         "cet-u cet-s hdc uintr lbr hwp amx-tilecfg amx-tiledata apx").split()
src, dst, what = sys.argv[1:4]
d = bytearray(open(src, 'rb').read())
roff, rsize = struct.unpack_from('<QQ', d, 32)
p, end, said = roff, roff + rsize, ''
if what == 'machine':
    struct.pack_into('<I', d, 24, 183)
    said = '183'
while p < end:
    typ, size = struct.unpack_from('<II', d, p)
    body = p + 8
    if what == 'xstate' and typ == 2:            # THREAD: struct ckpt_thread, 176 bytes, then the area
        feat, xsize = struct.unpack_from('<QI', d, body + 160)
        assert size == 176 + xsize, 'thread record layout'
        bit = next(b for b in range(2, 20) if not feat >> b & 1)
        struct.pack_into('<Q', d, body + 160, feat | 1 << bit)
        said = names[bit]
    if what == 'vdsoid' and typ == 4:            # REGION: ..., build_id_len at 92, build_id at 96
        kind, = struct.unpack_from('<I', d, body + 20)
        idlen, = struct.unpack_from('<I', d, body + 92)
        if kind == 3 and 0 < idlen <= 20:
            d[body + 96] ^= 0xff
            said = bytes(d[body + 96:body + 104]).hex()
    if what == 'vdso' and typ == 4:              # REGION: start, end, prot, kind
        start, stop, prot, kind = struct.unpack_from('<QQII', d, body)
        if kind == 3 and stop - start > 4096:
            struct.pack_into('<Q', d, body + 8, stop - 4096)
            said = '%d %d' % (stop - start, stop - start - 4096)
    p = body + ((size + 7) & ~7)
if not said:
    sys.exit('nothing to edit')
struct.pack_into('<I', d, 72, crc32c(bytes(d[roff:end])))
struct.pack_into('<I', d, 100, 0)
struct.pack_into('<I', d, 100, crc32c(bytes(d[:104])))
open(dst, 'wb').write(d)
print(said)
