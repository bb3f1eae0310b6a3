/* CRC32C (Castagnoli), the checksum of every part of an image. */
#ifndef CKPT_CRC32C_H
#define CKPT_CRC32C_H

#include <linux/types.h>

/* crc32c of n bytes, continuing from a previous value (start with 0) */
__u32 crc32c(__u32 crc, const void *buf, __u64 n);

#endif
