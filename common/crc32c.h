/* CRC32C (Castagnoli), the checksum of every part of an image. */
#ifndef CKPT_CRC32C_H
#define CKPT_CRC32C_H

#include <linux/types.h>

/* crc32c of n bytes, continuing from a previous value (start with 0) */
__u32 crc32c(__u32 crc, const void *buf, __u64 n);

/* For a port's fast path that joins independent streams (the CRC is
 * linear: crc(A B) = crc(A) * x^(8|B|) + crc0(B)): a * b modulo the
 * polynomial, in the reflected bit order, and x^(8n) modulo it, which
 * is what feeding n zero bytes multiplies a CRC register by. */
__u32 crc32c_mulmod(__u32 a, __u32 b);
__u32 crc32c_shift_op(__u64 n);

#endif
