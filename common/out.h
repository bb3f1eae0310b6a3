/* Tiny formatted output into a fixed buffer: no printf, no allocation.
 * Messages are built whole and written with one write(), so a line on
 * stderr is never interleaved with the program's own output. */
#ifndef CKPT_OUT_H
#define CKPT_OUT_H

#include "syscalls.h"

struct out {
	char buf[512];
	unsigned len;
	int exact;         /* %z prints exact bytes, not 1.5 MiB */
};

void out_str(struct out *o, const char *s);
void out_chr(struct out *o, char c);
void out_u64(struct out *o, __u64 v);
/* hex, zero padded to width digits (0: no padding) */
void out_hex(struct out *o, __u64 v, int width);
/* value with one decimal in the largest fitting binary unit: 1.5 MiB */
void out_size(struct out *o, __u64 v);
void out_flush(struct out *o, int fd);
/* Appends fmt with its arguments: %s a string (NULL: nothing); %u
 * decimal, %d decimal of at least two digits (05), %x hex, %X hex padded
 * to 16 digits and %z a size (1.5 MiB, or exact bytes when o->exact)
 * take a __u64: cast narrower arguments.  Any other character after %
 * stands for itself (%%). */
void outf(struct out *o, const char *fmt, ...);
void voutf(struct out *o, const char *fmt, __builtin_va_list ap);
/* spaces up to column col (the buffer is expected to start a line) */
void out_pad(struct out *o, unsigned col);
const char *err_str(long err);
/* the n-th (from 0) of the NUL-separated strings in list */
const char *nth_str(const char *list, int n);

#endif
