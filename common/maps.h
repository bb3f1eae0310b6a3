/* Parser for /proc/self/maps lines.  Defensive: qemu synthesizes this file
 * (no zero padding, missing labels, duplicated [vsyscall]), and a line the
 * parser does not understand is reported, never guessed at. */
#ifndef CKPT_MAPS_H
#define CKPT_MAPS_H

#include <linux/types.h>

struct map_ent {
	__u64 start, end, offset, inode;
	int prot;          /* PROT_* from rwx */
	int shared;        /* 's' */
	const char *name;  /* points into the line, NUL terminated; "" if none */
	unsigned name_len;
};

static inline int maps_hex(const char **pp, __u64 *v)
{
	const char *p = *pp;
	__u64 x = 0;
	int n = 0;
	for (;; p++, n++) {
		char c = *p;
		int d;
		if (c >= '0' && c <= '9') d = c - '0';
		else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
		else break;
		if (n >= 16)
			return -1;
		x = x << 4 | d;
	}
	if (!n)
		return -1;
	*v = x;
	*pp = p;
	return 0;
}

static inline int maps_dec(const char **pp, __u64 *v)
{
	const char *p = *pp;
	__u64 x = 0;
	int n = 0;
	for (; *p >= '0' && *p <= '9'; p++, n++)
		x = x * 10 + (*p - '0');
	if (!n)
		return -1;
	*v = x;
	*pp = p;
	return 0;
}

/* Parses one line (NUL terminated, without its newline).  0 or -1. */
static inline int maps_parse(char *line, struct map_ent *e)
{
	const char *p = line;
	__u64 dev;
	if (maps_hex(&p, &e->start) || *p++ != '-' || maps_hex(&p, &e->end) || *p++ != ' ')
		return -1;
	if (e->start >= e->end)
		return -1;
	e->prot = 0;
	if (p[0] == 'r') e->prot |= 1;
	else if (p[0] != '-') return -1;
	if (p[1] == 'w') e->prot |= 2;
	else if (p[1] != '-') return -1;
	if (p[2] == 'x') e->prot |= 4;
	else if (p[2] != '-') return -1;
	if (p[3] != 's' && p[3] != 'p')
		return -1;
	e->shared = p[3] == 's';
	p += 4;
	if (*p++ != ' ' || maps_hex(&p, &e->offset) || *p++ != ' ')
		return -1;
	if (maps_hex(&p, &dev) || *p++ != ':' || maps_hex(&p, &dev) || *p++ != ' ')
		return -1;
	if (maps_dec(&p, &e->inode))
		return -1;
	while (*p == ' ')
		p++;
	e->name = p;
	e->name_len = 0;
	while (p[e->name_len])
		e->name_len++;
	return 0;
}

/* The next line of NUL-terminated text at *cur, split in place (its
 * newline becomes a NUL); 0 at the end of the text. */
static inline char *next_line(char **cur)
{
	char *line = *cur, *p = line;
	if (!*line)
		return 0;
	while (*p && *p != '\n')
		p++;
	if (*p)
		*p++ = 0;
	*cur = p;
	return line;
}

static inline int name_is(const struct map_ent *e, const char *s)
{
	unsigned i = 0;
	for (; s[i]; i++)
		if (i >= e->name_len || e->name[i] != s[i])
			return 0;
	return i == e->name_len;
}

#endif
