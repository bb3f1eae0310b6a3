/* CRC32C with SSE4.2's crc32 instruction, 8 bytes a step.  Used by
 * common/crc32c.c, which keeps the register inverted and falls back to a
 * bitwise loop on CPUs (or emulators) without the instruction. */
#include "crc32c.h"
#include "machine.h"

int arch_crc32c_ok(void)
{
	__u32 a = 1, b, c, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d) : "c"(0));
	return (c >> 20) & 1;          /* CPUID.1:ECX.SSE4_2 */
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
 * three times one stream's speed), and the CRC's linearity joins them
 * (crc32c_shift(), common/crc32c.c). */
#define CRC_BLOCK 8192ul
__u32 arch_crc32c(__u32 crc, const unsigned char *p, __u64 n)
{
	static __u32 op1, op2;
	__u64 c = crc;

	if (n >= 3 * CRC_BLOCK && !op1) {
		op1 = crc32c_shift_op(CRC_BLOCK);
		op2 = crc32c_shift_op(2 * CRC_BLOCK);
	}
	while (n >= 3 * CRC_BLOCK) {
		const unsigned char *b = p + CRC_BLOCK, *d = b + CRC_BLOCK;
		__u64 c2 = 0, c3 = 0;
		for (unsigned i = 0; i < CRC_BLOCK; i += 8) {
			__asm__("crc32q %1, %0" : "+r"(c) : "r"(load64(p + i)));
			__asm__("crc32q %1, %0" : "+r"(c2) : "r"(load64(b + i)));
			__asm__("crc32q %1, %0" : "+r"(c3) : "r"(load64(d + i)));
		}
		c = crc32c_mulmod(op2, (__u32)c) ^ crc32c_mulmod(op1, (__u32)c2) ^ (__u32)c3;
		p += 3 * CRC_BLOCK;
		n -= 3 * CRC_BLOCK;
	}
	return (__u32)crc_hw8(c, p, n);
}
