/* See crc32c.h.  The SSE4.2 crc32 instruction does 8 bytes per step; a
 * table-free bitwise fallback keeps CPUs (or emulators) without it
 * correct, if slow. */
#include "crc32c.h"
#include "cpu.h"

static int crc_hw = -1;

static __u32 crc32c_sw(__u32 crc, const unsigned char *p, __u64 n)
{
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & -(crc & 1));
	}
	return crc;
}

/* a * b modulo the CRC32C polynomial, in the reflected bit order */
static __u32 crc_mulmod(__u32 a, __u32 b)
{
	__u32 p = 0;
	for (__u32 m = 1u << 31; m; m >>= 1) {
		if (a & m)
			p ^= b;
		b = b & 1 ? (b >> 1) ^ 0x82f63b78u : b >> 1;
	}
	return p;
}

/* x^(8n) modulo the polynomial: multiplying a CRC register by it is what
 * feeding n zero bytes does */
static __u32 crc_shift_op(__u64 n)
{
	__u32 r = 1u << 31, sq = 1u << 30;  /* 1 and x, reflected */
	for (n *= 8; n; n >>= 1) {
		if (n & 1)
			r = crc_mulmod(r, sq);
		sq = crc_mulmod(sq, sq);
	}
	return r;
}

/* 8 bytes from any address (a plain mov; a cast would be a misaligned,
 * undefined load) */
static inline __u64 load64(const unsigned char *p)
{
	__u64 v;
	__builtin_memcpy(&v, p, 8);
	return v;
}

static __u64 crc_hw8(__u64 c, const unsigned char *p, __u64 n)
{
	for (; n >= 8; p += 8, n -= 8)
		__asm__("crc32q %1, %0" : "+r"(c) : "r"(load64(p)));
	for (; n; p++, n--)
		__asm__("crc32b %1, %k0" : "+r"(c) : "rm"(*p));
	return c;
}

/* crc32q has a 3-cycle latency and a 1-cycle throughput: three
 * independent streams over consecutive blocks keep the unit busy (about
 * three times one stream's speed), and the CRC's linearity joins them:
 * crc(A B) = crc(A) * x^(8|B|) + crc0(B). */
#define CRC_BLOCK 8192ul
static __u32 crc32c_hw(__u32 crc, const unsigned char *p, __u64 n)
{
	static __u32 op1, op2;
	__u64 c = crc;

	if (n >= 3 * CRC_BLOCK && !op1) {
		op1 = crc_shift_op(CRC_BLOCK);
		op2 = crc_shift_op(2 * CRC_BLOCK);
	}
	while (n >= 3 * CRC_BLOCK) {
		const unsigned char *b = p + CRC_BLOCK, *d = b + CRC_BLOCK;
		__u64 c2 = 0, c3 = 0;
		for (unsigned i = 0; i < CRC_BLOCK; i += 8) {
			__asm__("crc32q %1, %0" : "+r"(c) : "r"(load64(p + i)));
			__asm__("crc32q %1, %0" : "+r"(c2) : "r"(load64(b + i)));
			__asm__("crc32q %1, %0" : "+r"(c3) : "r"(load64(d + i)));
		}
		c = crc_mulmod(op2, (__u32)c) ^ crc_mulmod(op1, (__u32)c2) ^ (__u32)c3;
		p += 3 * CRC_BLOCK;
		n -= 3 * CRC_BLOCK;
	}
	return (__u32)crc_hw8(c, p, n);
}

__u32 crc32c(__u32 crc, const void *buf, __u64 n)
{
	if (crc_hw < 0)
		crc_hw = cpu_has_sse42();
	crc = ~crc;
	crc = crc_hw ? crc32c_hw(crc, buf, n) : crc32c_sw(crc, buf, n);
	return ~crc;
}
