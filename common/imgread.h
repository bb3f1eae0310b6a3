/* Reading an image: struct img, what a reader holds of one image once
 * it is loaded (its header, its record table and pointers to each kind of
 * record in it), the accessors that decode a region record's tail, and the
 * loader and validator (imgread.c).  myrestart restores from it;
 * libckpt.so checks every image it writes with the very same code
 * (core/verify.c), so what the one would refuse the other never writes.
 * Each reader defines report(), which decides what a problem becomes. */
#ifndef CKPT_IMGREAD_H
#define CKPT_IMGREAD_H

#include "syscalls.h"
#include "image.h"
#include "out.h"

/* what one reader takes of an image at most */
#define IMG_RECORDS_MAX (640u << 10)
#define IMG_REGIONS_MAX 8192u
#define IMG_FDS_MAX     1024u

struct img {
	const char *path;
	int fd;
	int lazy;                  /* skip page-data checksums */
	int runner;                /* the runner myrestart itself is under */
	__u64 fsize;
	char *records;             /* IMG_RECORDS_MAX bytes, the caller's */
	struct ckpt_header hd;
	union {                    /* the records an image has exactly once */
		struct {
			const struct ckpt_info *info;
			const struct ckpt_mm *mm;
			const struct ckpt_proc *proc;
			const struct ckpt_signals *sigs;
		};
		const void *once[4];  /* in the order of imgread.c's once_rec[] */
	};
	unsigned nthreads;
	const struct ckpt_thread *thread[CKPT_THREADS_MAX];  /* extended state follows each */
	const struct ckpt_thread *leader;
	int strict;                /* refuse files that changed since the checkpoint */
	int exact_tids;            /* in a tree's pid namespace: threads get their own tids */
	const char *cwd;           /* the working directory to return to (after --map) */
	unsigned nregions;
	unsigned region_recs;       /* region records in the table, for messages */
	const struct ckpt_region *reg[IMG_REGIONS_MAX];
	unsigned nfds;
	const struct ckpt_fd *fds[IMG_FDS_MAX];
	int held[IMG_FDS_MAX];     /* reopened fds, parked high */
	unsigned ntimers;
	const struct ckpt_timer *timer[CKPT_TIMERS_MAX];
	unsigned nlocks;
	const struct ckpt_lock *locks[CKPT_LOCKS_MAX];
	int fd_base;               /* first parked fd */
	__u64 stage;               /* where the restore stage's copy runs, or 0 */
	/* a delta image (chain.c): its parent's file name (in the record
	 * table), and the parent once loaded, in the chain's arena */
	const char *parent_name;
	struct img *up;
	const char *of;            /* a parent: the image restarted, for messages */
	const __u8 *verified;      /* regions whose checksum was taken as they were restored */
	__u64 arena, arena_size;   /* the arena: its own mapping, kept past the point of no return */
	/* a process tree's owner (the TREE record): its tables */
	const struct ckpt_tree *tree;
	const struct ckpt_member *members;
	const struct ckpt_tobj *tobjs;
	const struct ckpt_tfd *tfds;
	const char *tbytes;
};

static inline const struct ckpt_run *region_runs(const struct ckpt_region *r)
{
	return (const struct ckpt_run *)(r + 1);
}
/* a delta's pages that read as zero now */
static inline const struct ckpt_run *region_zero(const struct ckpt_region *r)
{
	return region_runs(r) + r->nruns;
}
static inline const char *region_name(const struct ckpt_region *r)
{
	return (const char *)(region_zero(r) + r->nzero);
}

/* imgread.c: 0 when the whole image is valid; else reports why through
 * report() and returns 1 */
int image_load(struct img *im);
int image_verify_data(struct img *im);

/* Reports one problem (with the image, or with restoring it here) and
 * returns 1.  myrestart (restart/main.c) prints it as one line
 * "myrestart: FILE: what" on stderr (see outf() for the format);
 * libckpt.so's self-check (core/verify.c) keeps the first for its own
 * message; the fuzz harness (tests/fuzz/) formats it and drops it. */
int report(const struct img *im, const char *fmt, ...);

#endif
