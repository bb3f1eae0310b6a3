/* libFuzzer harness for myrestart's image parser and validator: the very
 * same common/imgread.c, fed arbitrary bytes through a
 * memfd.  Any crash, hang, sanitizer report or leak of a descriptor is a
 * bug in the code that stands between a damaged image and the point of no
 * return.  Built by `make fuzz` (clang -fsanitize=fuzzer,address,undefined). */
#include "imgread.h"
#include "crc32c.h"

/* the messages are formatted (with whatever values the input holds) but
 * not printed */
int report(const struct img *i, const char *fmt, ...)
{
	static struct out m;
	__builtin_va_list ap;

	(void)i;
	m.len = 0;
	__builtin_va_start(ap, fmt);
	voutf(&m, fmt, ap);
	__builtin_va_end(ap);
	return 1;
}

/* nolibc's _start references this; libFuzzer brings its own main */
void _start_c(void) { }

static struct img im;
static char records[IMG_RECORDS_MAX];
static unsigned char buf[65536];

/* Checksums stop almost every mutation at the header.  On inputs with an
 * odd length, recompute the table and header CRCs so that the mutated
 * values reach the deeper checks of records, regions and descriptors. */
static const unsigned char *repair(const unsigned char *data, unsigned long size)
{
	struct ckpt_header hd;

	if (!(size & 1) || size > sizeof(buf) || size < sizeof(hd))
		return data;
	memcpy(buf, data, size);
	memcpy(&hd, buf, sizeof(hd));
	if (hd.records_off <= size && hd.records_size <= size - hd.records_off)
		hd.records_crc = crc32c(0, buf + hd.records_off, hd.records_size);
	hd.header_crc = 0;
	hd.header_crc = crc32c(0, &hd, sizeof(hd));
	memcpy(buf, &hd, sizeof(hd));
	return buf;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size)
{
	char path[64];
	struct out o = { .len = 0 };
	long fd = sys_memfd_create("image", 0);

	data = repair(data, size);
	if (fd < 0 || k_write_full(fd, data, size) != (long)size)
		__builtin_trap();
	outf(&o, "/proc/self/fd/%u", (__u64)fd);
	memcpy(path, o.buf, o.len);
	path[o.len] = 0;
	memset(&im, 0, sizeof(im));
	im.path = path;
	im.records = records;
	im.fd = -1;
	im.runner = CKPT_RUNNER_NATIVE;
	if (!image_load(&im))
		image_verify_data(&im);
	if (im.fd >= 0)
		sys_close(im.fd);
	sys_close(fd);
	return 0;
}
