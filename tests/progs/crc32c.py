"""CRC32C as ckpt's images use it (common/crc32c.c: reflected, polynomial
0x82f63b78), bit by bit: for the scripts that write or edit an image
(imgedit.py here, tests/fuzz/mkseed.py)."""

def crc32c(data, crc=0):
    crc ^= 0xffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82f63b78 & -(crc & 1))
    return crc ^ 0xffffffff
