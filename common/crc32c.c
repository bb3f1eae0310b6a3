/* See crc32c.h.  The CPU's own instruction where the port has one
 * (arch_crc32c), a table-free bitwise loop otherwise: correct, if slow. */
#include "crc32c.h"
#include "machine.h"

static int hw = -1;

static __u32 crc32c_sw(__u32 crc, const unsigned char *p, __u64 n)
{
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & -(crc & 1));
	}
	return crc;
}

__u32 crc32c(__u32 crc, const void *buf, __u64 n)
{
	if (hw < 0)
		hw = arch_crc32c_ok();
	crc = ~crc;
	crc = hw ? arch_crc32c(crc, buf, n) : crc32c_sw(crc, buf, n);
	return ~crc;
}
