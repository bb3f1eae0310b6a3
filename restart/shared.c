/* Shared mappings, prepared before the point of no return: the files
 * mapped shared are opened (a missing one is a clean refusal), and each
 * shared memory object (regions with the same dev and ino) is made once,
 * as a memfd holding its saved pages, or is the MEMFD/DELETED fd the
 * image restores for it, so that every mapping of it aliases again and
 * writes through the fd show in the mappings. */
#include "restart.h"

#define RST_SHM_OBJS 256
static struct { __u64 dev, ino; int fd; } obj[RST_SHM_OBJS];
static unsigned nobj;
static int map_fd[RST_REGIONS_MAX];   /* per region: the fd to map, held high */

static long hold_high(const struct img *im, long t)
{
	long h = t < 0 ? t : my_syscall3(__NR_fcntl, t, F_DUPFD_CLOEXEC, im->fd_base);
	if (t >= 0)
		sys_close(t);
	return h;
}

/* the fd of the MEMFD or DELETED record for this object, reopened read-write */
static long fd_object(const struct img *im, const struct ckpt_region *r)
{
	for (unsigned i = 0; i < im->nfds; i++) {
		const struct ckpt_fd *f = im->fds[i];
		if ((f->kind == CKPT_FD_MEMFD || f->kind == CKPT_FD_DELETED) && f->dev == r->dev && f->ino == r->ino) {
			struct out o = { .len = 0 };
			outf(&o, "/proc/self/fd/%u", (__u64)im->held[i]);
			o.buf[o.len] = 0;
			return k_openat(AT_FDCWD, o.buf, O_RDWR, 0);
		}
	}
	return -ENOENT;
}

/* r's saved pages into object fd t at r's offset */
static long fill(const struct img *im, const struct ckpt_region *r, int t)
{
	const struct ckpt_run *run = region_runs(r);
	__s64 off = r->data_off;

	for (unsigned k = 0; k < r->nruns; k++) {
		__u64 n = run[k].npages * CKPT_PAGE;
		long w = my_syscall3(__NR_lseek, t, r->file_off + run[k].page * CKPT_PAGE, SEEK_SET);
		if (w >= 0)
			w = my_syscall4(__NR_sendfile, t, im->fd, &off, n);
		if (w != (long)n)
			return w < 0 ? w : -EIO;
	}
	return 0;
}

/* the object region r maps: found, or made */
static long object(const struct img *im, const struct ckpt_region *r)
{
	struct statx st;
	unsigned k;
	long t;

	for (k = 0; k < nobj; k++)
		if (obj[k].dev == r->dev && obj[k].ino == r->ino)
			break;
	if (k == nobj) {
		if (nobj == RST_SHM_OBJS)
			return -ENOBUFS;
		t = fd_object(im, r);
		if (t == -ENOENT)
			t = my_syscall2(__NR_memfd_create, "ckpt-shared", 0);
		if ((t = hold_high(im, t)) < 0)
			return t;
		obj[nobj++] = (typeof(obj[0])){ r->dev, r->ino, t };
	}
	t = obj[k].fd;
	if (k_statx(t, "", AT_EMPTY_PATH, STATX_SIZE, &st) < 0)
		return -EIO;
	if (st.stx_size < r->file_off + (r->end - r->start) &&
	    k_ftruncate(t, r->file_off + (r->end - r->start)) < 0)
		return -ENOSPC;
	return fill(im, r, t) < 0 ? -EIO : t;
}

int shm_prepare(struct img *im)
{
	for (unsigned i = 0; i < im->nregions; i++) {
		const struct ckpt_region *r = im->reg[i];
		long t;
		if (r->kind == CKPT_KIND_FILE_SHARED) {
			static char buf[CKPT_NAME_MAX];
			const char *path = pathmap(region_name(r), buf);
			t = hold_high(im, k_openat(AT_FDCWD, path, (r->prot & PROT_WRITE ? O_RDWR : O_RDONLY) | O_CLOEXEC, 0));
			if (t < 0)
				return report(im, "cannot map %s shared again (at 0x%x): %s%s", path, r->start, err_str(t),
					      pathmap_hint(t));
		} else if (r->kind == CKPT_KIND_SHMEM) {
			if ((t = object(im, r)) < 0)
				return report(im, "cannot make the shared memory at 0x%x again: %s", r->start, err_str(t));
		} else {
			continue;
		}
		map_fd[i] = t;
	}
	return 0;
}

/* the fd region i is mapped from (SHMEM, FILE_SHARED) */
int shm_fd(unsigned i)
{
	return map_fd[i];
}

/* once every region is mapped */
void shm_done(const struct img *im)
{
	for (unsigned i = 0; i < nobj; i++)
		sys_close(obj[i].fd);
	for (unsigned i = 0; i < im->nregions; i++)
		if (im->reg[i]->kind == CKPT_KIND_FILE_SHARED)
			sys_close(map_fd[i]);
}
