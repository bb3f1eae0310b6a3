/* Memory a program keeps out of its children (madvise MADV_DONTFORK: V8,
 * node's JavaScript heap, RDMA buffers) is not in the forked writer
 * either, so an image would silently lack it; memory it wipes in them
 * (MADV_WIPEONFORK: BoringSSL's random state) is zeros there, so the
 * image would hold zeros.  The library exports the calls that set and
 * clear the marks (madvise; munmap, mmap with MAP_FIXED and mremap move
 * or drop them) and keeps the marked ranges; in the pause it clears the
 * marks for the fork and sets them again in the program right after.  A
 * DONTFORK mark set some other way (a raw system call) is caught by the
 * writer, which finds a mapping of the program missing and fails the
 * checkpoint with one line (write.c); a raw WIPEONFORK one is not. */
#include "libckpt.h"

#define DF_MAX 4096

/* the two marks: the advice that sets each, and the one that clears it */
enum { DONTFORK, WIPEONFORK, NMARKS };
static const int set_advice[NMARKS] = { 10 /* MADV_DONTFORK */, 18 /* MADV_WIPEONFORK */ };
static const int clear_advice[NMARKS] = { 11 /* MADV_DOFORK */, 19 /* MADV_KEEPONFORK */ };
#define ALL_MARKS ((1u << NMARKS) - 1)

static struct { __u64 start, end; unsigned kind; } df[DF_MAX];
static unsigned ndf;
static int df_lock;            /* held only to edit df[]; the pause only tries it */
static int df_full;            /* a range did not fit: the writer's check decides */

typedef int (*madvise_fn)(void *, unsigned long, int);
typedef int (*munmap_fn)(void *, unsigned long);
typedef void *(*mmap_fn)(void *, unsigned long, int, int, int, long);
typedef void *(*mremap_fn)(void *, unsigned long, unsigned long, int, void *);
static struct {                  /* libc's, in ckpt_glibc_nexts()'s order */
	madvise_fn madvise;
	munmap_fn munmap;
	mmap_fn mmap, mmap64;
	mremap_fn mremap;
} next;

void ckpt_dontfork_init(const unsigned long *auxv)
{
	ckpt_glibc_nexts(auxv, &next, "madvise\0munmap\0mmap\0mmap64\0mremap\0");
}

static void lock(void)
{
	while (__atomic_exchange_n(&df_lock, 1, __ATOMIC_ACQUIRE))
		k_sched_yield();
}

static void unlock(void)
{
	__atomic_store_n(&df_lock, 0, __ATOMIC_RELEASE);
}

/* [a, b) no longer has the marks in kinds (a bit each): ranges cut
 * around it */
static void forget(__u64 a, __u64 b, unsigned kinds)
{
	for (unsigned i = 0; i < ndf; ) {
		__u64 s = df[i].start, e = df[i].end;
		if (e <= a || s >= b || !(kinds & 1u << df[i].kind)) {
			i++;
			continue;
		}
		if (s < a && e > b && ndf < DF_MAX) {      /* a hole in the middle */
			df[ndf].start = b;
			df[ndf].kind = df[i].kind;
			df[ndf++].end = e;
		} else if (s < a && e > b) {
			df_full = 1;
		}
		if (s < a)
			df[i++].end = a;
		else if (e > b)
			df[i++].start = b;
		else
			df[i] = df[--ndf];
	}
}

static void mark(__u64 a, __u64 b, unsigned kind)
{
	forget(a, b, 1u << kind);
	if (ndf < DF_MAX) {
		df[ndf].start = a;
		df[ndf].kind = kind;
		df[ndf++].end = b;
	} else {
		df_full = 1;
	}
}

static __u64 page_end(__u64 a, unsigned long len)
{
	return (a + len + CKPT_PAGE - 1) & ~(CKPT_PAGE - 1);
}

/* Without libc's functions (a program linked without them): the system
 * call, with no errno, -1 alone. */
int ckpt_madvise(void *addr, unsigned long len, int advice) EXPORT(madvise);
int ckpt_munmap(void *addr, unsigned long len) EXPORT(munmap);
void *ckpt_mmap(void *addr, unsigned long len, int prot, int flags, int fd, long off) EXPORT(mmap);
void *ckpt_mmap64(void *addr, unsigned long len, int prot, int flags, int fd, long off) EXPORT(mmap64);
void *ckpt_mremap(void *old, unsigned long olen, unsigned long nlen, int flags, void *naddr) EXPORT(mremap);

int ckpt_madvise(void *addr, unsigned long len, int advice)
{
	int r = next.madvise ? next.madvise(addr, len, advice)
			     : k_madvise((unsigned long)addr, len, advice) < 0 ? -1 : 0;
	for (unsigned k = 0; r == 0 && k < NMARKS; k++) {
		if (advice != set_advice[k] && advice != clear_advice[k])
			continue;
		lock();
		if (advice == set_advice[k])
			mark((__u64)addr, page_end((__u64)addr, len), k);
		else
			forget((__u64)addr, page_end((__u64)addr, len), 1u << k);
		unlock();
	}
	return r;
}

int ckpt_munmap(void *addr, unsigned long len)
{
	int r = next.munmap ? next.munmap(addr, len) : k_munmap((unsigned long)addr, len) < 0 ? -1 : 0;
	if (r == 0 && ndf) {
		lock();
		forget((__u64)addr, page_end((__u64)addr, len), ALL_MARKS);
		unlock();
	}
	return r;
}

/* a fixed mapping replaces whatever was there, mark included */
static void *mapped(void *p, unsigned long len, int flags)
{
	if (p != (void *)-1l && (flags & MAP_FIXED) && ndf) {
		lock();
		forget((__u64)p, page_end((__u64)p, len), ALL_MARKS);
		unlock();
	}
	return p;
}

void *ckpt_mmap(void *addr, unsigned long len, int prot, int flags, int fd, long off)
{
	long r;
	if (next.mmap)
		return mapped(next.mmap(addr, len, prot, flags, fd, off), len, flags);
	r = k_mmap((unsigned long)addr, len, prot, flags, fd, off);
	return mapped(k_failed(r) ? (void *)-1l : (void *)r, len, flags);
}

void *ckpt_mmap64(void *addr, unsigned long len, int prot, int flags, int fd, long off)
{
	if (next.mmap64)
		return mapped(next.mmap64(addr, len, prot, flags, fd, off), len, flags);
	return ckpt_mmap(addr, len, prot, flags, fd, off);
}

/* a marked mapping keeps its marks where mremap moves it */
void *ckpt_mremap(void *old, unsigned long olen, unsigned long nlen, int flags, void *naddr)
{
	void *p;
	unsigned was = 0;
	long r;

	if (next.mremap) {
		p = next.mremap(old, olen, nlen, flags, naddr);
	} else {
		r = k_mremap((unsigned long)old, olen, nlen, flags, (unsigned long)naddr);
		p = k_failed(r) ? (void *)-1l : (void *)r;
	}
	if (p == (void *)-1l || !ndf)
		return p;
	lock();
	for (unsigned i = 0; i < ndf; i++)
		if (df[i].start < page_end((__u64)old, olen) && df[i].end > (__u64)old)
			was |= 1u << df[i].kind;
	forget((__u64)old, page_end((__u64)old, olen), ALL_MARKS);
	forget((__u64)p, page_end((__u64)p, nlen), ALL_MARKS);
	for (unsigned k = 0; k < NMARKS; k++)
		if (was & 1u << k)
			mark((__u64)p, page_end((__u64)p, nlen), k);
	unlock();
	return p;
}

/* In the pause: the marks off for the fork (1), or left (0: a parked
 * thread was editing the table; the writer's check then decides) */
int ckpt_dontfork_clear(void)
{
	if (!ndf || __atomic_exchange_n(&df_lock, 1, __ATOMIC_ACQUIRE))
		return 0;
	for (unsigned i = 0; i < ndf; i++)
		k_madvise(df[i].start, df[i].end - df[i].start, clear_advice[df[i].kind]);
	return 1;
}

/* In the program once the writer is forked, and after a restart (the
 * restored mappings are plain memory): the marks back */
void ckpt_dontfork_restore(int cleared)
{
	if (!cleared)
		return;
	for (unsigned i = 0; i < ndf; i++)
		k_madvise(df[i].start, df[i].end - df[i].start, set_advice[df[i].kind]);
	unlock();
}
