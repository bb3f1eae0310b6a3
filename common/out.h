/* Tiny formatted output into a fixed buffer: no printf, no allocation.
 * Messages are built whole and written with one write(), so a line on
 * stderr is never interleaved with the program's own output. */
#ifndef CKPT_OUT_H
#define CKPT_OUT_H

#include "syscalls.h"

struct out {
	char buf[512];
	unsigned len;
};

void out_str(struct out *o, const char *s);
void out_chr(struct out *o, char c);
void out_u64(struct out *o, __u64 v);
/* hex, zero padded to width digits (0: no padding) */
void out_hex(struct out *o, __u64 v, int width);
/* value with one decimal in the largest fitting binary unit: 1.5 MiB */
void out_size(struct out *o, __u64 v);
void out_flush(struct out *o, int fd);
const char *err_str(long err);

#endif
