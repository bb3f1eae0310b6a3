/* The arithmetic that joins CRC32C streams computed apart (see
 * crc32c.h), for a port's fast path: polynomials over GF(2) modulo
 * CRC32C's, in the reflected bit order the CRC register uses. */
#include "crc32c.h"

__u32 crc32c_mulmod(__u32 a, __u32 b)
{
	__u32 p = 0;
	for (__u32 m = 1u << 31; m; m >>= 1) {
		if (a & m)
			p ^= b;
		b = b & 1 ? (b >> 1) ^ 0x82f63b78u : b >> 1;
	}
	return p;
}

__u32 crc32c_shift_op(__u64 n)
{
	__u32 r = 1u << 31, sq = 1u << 30;  /* 1 and x, reflected */
	for (n *= 8; n; n >>= 1) {
		if (n & 1)
			r = crc32c_mulmod(r, sq);
		sq = crc32c_mulmod(sq, sq);
	}
	return r;
}
