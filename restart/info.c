/* myrestart --info: what an image holds, with the paths as this restart
 * would use them (after --map). */
#include "restart.h"
#include "sockname.h"

/* "2026-11-25 15:20:47" for t seconds since the epoch, UTC (every fourth
 * year a leap year: right from 1901 to 2099) */
static void out_date(struct out *o, __u64 t)
{
	static const char mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned days = t / 86400, sec = t % 86400, y = 1970, m = 0, n;

	while (days >= (n = y % 4 ? 365 : 366))
		days -= n, y++;
	while (days >= (n = mdays[m] + (m == 1 && y % 4 == 0)))
		days -= n, m++;
	outf(o, "%u-%d-%d %d:%d:%d", (__u64)y, (__u64)m + 1, (__u64)days + 1, (__u64)sec / 3600,
	     (__u64)sec / 60 % 60, (__u64)sec % 60);
}

/* one fd of --info: number, kind, what it holds, path */
static void fd_info(struct out *o, const struct ckpt_fd *f, int first)
{
	static char path[CKPT_NAME_MAX];
	static const char kinds[] = "?\0file\0/dev/null\0deleted\0stdio\0pipe\0socketpair\0eventfd\0"
				    "timerfd\0signalfd\0epoll\0memfd\0dup\0socket";
	__u32 k = f->kind;

	outf(o, "%s  fd %u  %s  ", first ? "\n" : "", (__u64)f->fd, nth_str(kinds, k));
	if (k == CKPT_FD_FILE || k == CKPT_FD_DELETED || k == CKPT_FD_STDIO || k == CKPT_FD_MEMFD)
		outf(o, "offset %u  ", (__u64)f->pos);
	if (k == CKPT_FD_PIPE || k == CKPT_FD_SOCKPAIR || k == CKPT_FD_DUP || (k == CKPT_FD_SOCKET && f->peer >= 0))
		outf(o, "%s fd %u  ", k == CKPT_FD_DUP ? "same as" : "peer", (__u64)f->peer);
	if (k == CKPT_FD_SOCKET) {
		out_sock(o, ckpt_fd_sock(f));
		if (ckpt_fd_sock(f)->state == CKPT_SS_LISTEN)
			outf(o, ", backlog %u", (__u64)ckpt_fd_sock(f)->backlog);
		out_str(o, "  ");
	}
	if (k == CKPT_FD_SOCKET && (f->fdflags & CKPT_FDF_SAVED))
		outf(o, "%z queued  ", (__u64)ckpt_fd_sock(f)->queued);
	else if (f->fdflags & CKPT_FDF_SAVED)
		outf(o, "%z saved  ", f->size);
	if (k == CKPT_FD_EVENTFD || k == CKPT_FD_SIGNALFD)
		outf(o, "%s 0x%x  ", k == CKPT_FD_EVENTFD ? "count" : "mask", f->val[0]);
	if (k == CKPT_FD_TIMERFD)
		outf(o, "clock %u, next in %u ns, every %u ns  ", (__u64)f->aux, f->val[2] ? 1 : f->val[0], f->val[1]);
	if (k == CKPT_FD_EPOLL || k == CKPT_FD_MEMFD)
		outf(o, k == CKPT_FD_EPOLL ? "%u watches  " : "seals 0x%x  ", (__u64)f->aux);
	outf(o, "%s\n", pathmap(ckpt_fd_path(f), path));
	out_flush(o, 1);
}

/* an incremental image: each image below it, down to the full one */
static void chain_info(struct out *o, const struct img *im)
{
	const struct img *p = im->up;

	if (!im->hd.depth) {
		outf(o, "chain:\ta full image\n");
		out_flush(o, 1);
		return;
	}
	outf(o, "chain:\ta delta (regions marked *: the pages written since its parent); "
		"a restart needs the %u images below\n", (__u64)im->hd.depth);
	for (unsigned level = 1; level <= im->hd.depth; level++, p = p ? p->up : 0) {
		if (!p) {
			outf(o, "  %u: missing or refused\n", (__u64)level);
			break;
		}
		outf(o, "  %u: %s, %z%s, %s\n", (__u64)level, p->path, (__u64)p->hd.file_size,
		     o->exact ? " bytes" : "", p->hd.depth ? "a delta" : "the full image");
		out_flush(o, 1);
	}
	out_flush(o, 1);
}

void image_info(const struct img *im, int exact)
{
	static char path[CKPT_NAME_MAX];
	static const char kinds[] = "?\0anon\0stack\0vdso\0vvar\0vvar_vclock\0shared\0file-shared\0file";
	const struct ckpt_info *in = im->info;
	struct out o = { .len = 0, .exact = exact };
	unsigned i, n;

	outf(&o, "format:\tversion %u, taken %s\nprogram:\t%s (pid %u, checkpoint %u)\n"
		 "exe:\t%s\ncommand:\t", (__u64)im->hd.version,
	     im->hd.runner == CKPT_RUNNER_QEMU ? "under " ARCH_QEMU : "natively",
	     in->comm, (__u64)in->pid, (__u64)in->ncheckpoints, in->exe);
	for (i = 0; i < in->cmdline_len && i < sizeof(in->cmdline) - 1; i++)
		out_chr(&o, in->cmdline[i] ? in->cmdline[i] : ' ');
	outf(&o, "\ncwd:\t%s\ntime:\t", im->cwd);
	out_date(&o, in->time);
	outf(&o, " UTC (%u)\n%s", (__u64)in->time, in->flags & CKPT_IF_UNRESERVED ?
	     "note:\tthe program uses 0x5000000-0x5400000: myrestart restores it from a copy of itself\n" : "");
	out_flush(&o, 1);
	for (i = 0, n = 0; i < im->nregions; i++)
		n += im->reg[i]->kind == CKPT_KIND_FILE_PRIVATE && (!i || im->reg[i - 1]->ino != im->reg[i]->ino);
	if (n)
		outf(&o, "files:\tthe unchanged pages of %u mapped files are taken from them at restart "
			 "(CKPT_SAVE_FILES=1 makes self-contained images)\n", (__u64)n);
	else
		outf(&o, "files:\tself-contained (every page is in the image)\n");
	outf(&o, "cpu:\t" ARCH_NAME ", extended state 0x%x (%u bytes)\nimage:\t%z%s, %u regions, "
		 "%u fds, %u threads\n", im->leader->xstate.features, (__u64)im->leader->xstate.size,
	     (__u64)im->hd.file_size, exact ? " bytes" : "", (__u64)im->nregions,
	     (__u64)im->nfds, (__u64)im->nthreads);
	out_flush(&o, 1);
	chain_info(&o, im);
	for (i = 0; i < im->nthreads; i++) {
		const struct ckpt_thread *t = im->thread[i];
		outf(&o, "thread:\t%u %s%s, resumes at 0x%x\n", (__u64)t->tid, t->comm,
		     t->flags & CKPT_TF_LEADER ? " (leader)" : "", arch_pc(&t->cpu));
		out_flush(&o, 1);
	}
	for (i = 0; i < im->ntimers; i++) {
		const struct ckpt_timer *t = im->timer[i];
		static const char clocks[] = "realtime\0monotonic\0process CPU\0thread CPU\0monotonic raw\0"
			"realtime coarse\0monotonic coarse\0boottime\0realtime alarm\0boottime alarm\0?\0tai";
		if (t->clock >= 0 || !CKPT_CPUCLOCK_PID(t->clock))
			outf(&o, "timer:\t%u, %s clock, ", (__u64)t->id, nth_str(clocks, t->clock >= 0 ? t->clock :
			     CKPT_CPUCLOCK_THREAD(t->clock) ? 3 : 2));
		else
			outf(&o, "timer:\t%u, CPU clock of %u, ", (__u64)t->id, (__u64)CKPT_CPUCLOCK_PID(t->clock));
		if (t->notify == 1)
			outf(&o, "no signal");
		else
			outf(&o, "signal %u to %s %u", (__u64)t->signo, t->notify == 4 ? "thread" : "pid",
			     (__u64)(t->notify == 4 ? im->thread[t->thread]->tid : in->pid));
		outf(&o, ", next in %u us, every %u us\n", t->value_ns / 1000, t->interval_ns / 1000);
		out_flush(&o, 1);
	}
	outf(&o, "\n  start            end              prot kind        stored     name\n");
	out_flush(&o, 1);
	for (i = 0; i < im->nregions; i++) {
		const struct ckpt_region *r = im->reg[i];
		char perm[5] = { r->prot & PROT_READ ? 'r' : '-', r->prot & PROT_WRITE ? 'w' : '-',
				 r->prot & PROT_EXEC ? 'x' : '-',
				 r->flags & CKPT_RF_SHARED || r->kind == CKPT_KIND_SHMEM ||
				 r->kind == CKPT_KIND_FILE_SHARED ? 's' : 'p' };
		outf(&o, "  %X %X %s %s%s", (__u64)r->start, (__u64)r->end, perm, nth_str(kinds, r->kind),
		     r->flags & CKPT_RF_DELTA ? "*" : "");
		out_pad(&o, 53);
		outf(&o, "%z", (__u64)r->data_len);
		out_pad(&o, 64);
		outf(&o, "%s\n", r->kind >= CKPT_KIND_FILE_SHARED ? pathmap(region_name(r), path) : region_name(r));
		out_flush(&o, 1);
	}
	for (i = 0; i < im->nfds; i++)
		fd_info(&o, im->fds[i], !i);
	locks_info(&o, im);
}
