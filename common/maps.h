/* Parser for /proc/self/maps lines.  Defensive: qemu synthesizes this file
 * (no zero padding, missing labels, duplicated [vsyscall]), and a line the
 * parser does not understand is reported, never guessed at. */
#ifndef CKPT_MAPS_H
#define CKPT_MAPS_H

#include <linux/types.h>

struct map_ent {
	__u64 start, end, offset, inode;
	__u64 dev;         /* major << 32 | minor */
	int prot;          /* PROT_* from rwx */
	int shared;        /* 's' */
	const char *name;  /* points into the line, NUL terminated; "" if none */
	unsigned name_len;
};

/* A number in base 16 or 10 at *pp, followed by the separator sep (0:
 * none), which is skipped too.  0, or -1 when either is missing or the
 * number overflows. */
static inline int maps_num(const char **pp, __u64 *v, unsigned base, char sep)
{
	const char *p = *pp;
	__u64 x = 0;
	int n = 0;
	for (;; p++, n++) {
		char c = *p;
		unsigned d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			break;
		if (n >= (base == 16 ? 16 : 20))
			return -1;
		x = x * base + d;
	}
	if (!n || (sep && *p++ != sep))
		return -1;
	*v = x;
	*pp = p;
	return 0;
}

/* Parses one line (NUL terminated, without its newline).  0 or -1. */
static inline int maps_parse(char *line, struct map_ent *e)
{
	const char *p = line;
	__u64 major, minor;
	if (maps_num(&p, &e->start, 16, '-') || maps_num(&p, &e->end, 16, ' ') || e->start >= e->end)
		return -1;
	e->prot = 0;
	for (int k = 0; k < 3; k++)
		if (p[k] == "rwx"[k])
			e->prot |= 1 << k;    /* PROT_READ, PROT_WRITE, PROT_EXEC */
		else if (p[k] != '-')
			return -1;
	if ((p[3] != 's' && p[3] != 'p') || p[4] != ' ')
		return -1;
	e->shared = p[3] == 's';
	p += 5;
	if (maps_num(&p, &e->offset, 16, ' ') || maps_num(&p, &major, 16, ':') ||
	    maps_num(&p, &minor, 16, ' ') || maps_num(&p, &e->inode, 10, 0))
		return -1;
	e->dev = major << 32 | minor;
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
