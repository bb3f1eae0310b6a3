/* myrestart: validates a ckpt image and brings the program back.
 *
 *   myrestart [--lazy] [--strict] [--map OLD=NEW]... FILE
 *                                  restart (every checksum checked first)
 *   myrestart --check FILE         validate only, print "ok"
 *   myrestart --info [--bytes] FILE  describe the image
 */
#include "restart.h"
#include "runner.h"

#define VERSION "0.1"

static struct img im;
static char records[IMG_RECORDS_MAX] __attribute__((aligned(64)));

int report(const struct img *i, const char *fmt, ...)
{
	static struct out m;
	__builtin_va_list ap;

	m.len = 0;
	outf(&m, "myrestart: ");
	if (i && i->of)
		outf(&m, "%s: parent image ", i->of);
	if (i && i->path)
		outf(&m, "%s: ", i->path);
	__builtin_va_start(ap, fmt);
	voutf(&m, fmt, ap);
	__builtin_va_end(ap);
	out_chr(&m, '\n');
	out_flush(&m, 2);
	return 1;
}

static void say(int fd, const char *s)
{
	k_write_full(fd, s, strlen(s));
}

static int usage(int code)
{
	say(code ? 2 : 1,
	    "Usage: myrestart [--lazy] [--strict] [--map OLD=NEW]... FILE\n"
	    "   or: myrestart --check FILE | --info [--bytes] FILE\n"
	    "Restart the process saved in FILE, after checking all of it.\n"
	    "  --check   only validate FILE\n"
	    "  --info    describe FILE; --bytes: exact sizes\n"
	    "  --lazy    skip the page checksums\n"
	    "  --strict  refuse if an open file changed size\n"
	    "  --map OLD=NEW  the files under OLD are now under NEW\n"
	    "Exit status 0 ok, 1 bad image or failed restart, 2 usage error.\n");
	return code;
}

int main(int argc, char **argv)
{
	static int check, info, exact, eager;
	static char cwd[CKPT_NAME_MAX];
	/* --eager: what every restart does now (pages are copied), accepted
	 * for the jobs that asked for it */
	static const char *const name[] = { "--check", "--info", "--bytes", "--lazy", "--eager", "--strict" };
	static int *const flag[] = { &check, &info, &exact, &im.lazy, &eager, &im.strict };
	unsigned k;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];
		for (k = 0; k < sizeof(name) / sizeof(name[0]) && strcmp(a, name[k]); k++)
			;
		if (k < sizeof(name) / sizeof(name[0]))
			*flag[k] = 1;
		else if (!strcmp(a, "--map") || !strncmp(a, "--map=", 6)) {
			if (!a[5] && ++i == argc)
				return report(0, "--map needs OLD=NEW; try 'myrestart --help'"), 2;
			if (pathmap_add(a[5] ? a + 6 : argv[i]))
				return 2;
		} else if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "--help"))
			return usage(0);
		else if (!strcmp(a, "--version")) {
			_Static_assert(CKPT_VERSION == 9, "the version text below");
			say(1, "myrestart (ckpt) " VERSION ", image format 9\n");
			return 0;
		} else {
			report(0, "unknown option '%s'; try 'myrestart --help'", a);
			return 2;
		}
	}
	if (i != argc - 1) {
		report(0, i < argc ? "too many arguments; try 'myrestart --help'"
				 : "missing image file; try 'myrestart --help'");
		return 2;
	}
	im.path = argv[i];
	im.records = records;
	im.runner = runner_detect(_auxv);
	if (info) {
		/* describe whatever parses, even an image for another runner */
		int r = image_load(&im) || chain_load(&im);
		if (im.proc)
			im.cwd = pathmap(im.proc->cwd, cwd);
		if (im.info && im.leader)
			image_info(&im, exact);
		if (im.tree)
			tree_info(&im);
		return r;
	}
	/* a restart checks the page data as it restores it (restore.c) */
	if (image_load(&im) || chain_load(&im) ||
	    (check && (image_verify_data(&im) || chain_verify_data(&im) || restore_check_kernel(&im))))
		return 1;
	if (im.tree && check)
		return tree_check(&im) ? 1 : (say(1, "ok\n"), 0);
	if (im.tree)
		return tree_restart(&im);
	im.cwd = pathmap(im.proc->cwd, cwd);
	if (check) {
		say(1, "ok\n");
		return 0;
	}
	if (im.runner == CKPT_RUNNER_QEMU)
		qemu_relocate_pages(&im, argv);
	if (restore_prepare(&im))
		return 1;
	return restore_run(&im);
}
