/* myrestart: validates a ckpt image and brings the program back.
 *
 *   myrestart [--lazy] [--eager] FILE  restart (every checksum checked first)
 *   myrestart --check FILE         validate only, print "ok"
 *   myrestart --info [--bytes] FILE  describe the image
 */
#include "restart.h"
#include "runner.h"

#define VERSION "0.1"

/* something in .data, so the data segment sits at 0x5100000 as designed */
static const char *prog = "myrestart";
static struct out M;
static struct img im;

struct out *msg(const struct img *i)
{
	M.len = 0;
	out_str(&M, prog);
	out_str(&M, ": ");
	if (i && i->path) {
		out_str(&M, i->path);
		out_str(&M, ": ");
	}
	return &M;
}

int msg_end(void)
{
	out_chr(&M, '\n');
	out_flush(&M, 2);
	return 1;
}

int fail(const struct img *i, const char *what)
{
	out_str(msg(i), what);
	return msg_end();
}

static void say(int fd, const char *s)
{
	k_write_full(fd, s, strlen(s));
}

static int usage(int code)
{
	say(code ? 2 : 1,
	    "Usage: myrestart [--lazy|--eager] FILE | --check FILE | --info [--bytes] FILE\n"
	    "Restarts the process saved in the ckpt image FILE, after checking all of it.\n"
	    "  --check  validate only (headers, tables, every checksum) and print ok\n"
	    "  --info   describe the image; --bytes: exact byte counts\n"
	    "  --lazy   skip the page-data checksums (faster; damage goes unnoticed)\n"
	    "  --eager  copy pages instead of mapping FILE (if FILE may change or vanish)\n"
	    "  --strict refuse if a file the program had open changed size\n"
	    "Exit status: 0 ok, 1 bad image or failed restart, 2 usage error.\n");
	return code;
}

int main(int argc, char **argv)
{
	int check = 0, info = 0, exact = 0, i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "--check"))
			check = 1;
		else if (!strcmp(a, "--info"))
			info = 1;
		else if (!strcmp(a, "--bytes"))
			exact = 1;
		else if (!strcmp(a, "--lazy"))
			im.lazy = 1;
		else if (!strcmp(a, "--eager"))
			im.eager = 1;
		else if (!strcmp(a, "--strict"))
			im.strict = 1;
		else if (!strcmp(a, "--help"))
			return usage(0);
		else if (!strcmp(a, "--version")) {
			say(1, "myrestart (ckpt) " VERSION ", image format 1\n");
			return 0;
		} else {
			struct out *o = msg(0);
			out_str(o, "unknown option '");
			out_str(o, a);
			out_str(o, "'; try 'myrestart --help'");
			msg_end();
			return 2;
		}
	}
	if (i != argc - 1) {
		fail(0, i < argc ? "too many arguments; try 'myrestart --help'"
				 : "missing image file; try 'myrestart --help'");
		return 2;
	}
	im.path = argv[i];
	im.runner = runner_detect(_auxv);
	if (info) {
		/* describe whatever parses, even an image for another runner */
		int r = image_load(&im);
		if (im.info && im.regs && im.xstate)
			image_info(&im, exact);
		return r;
	}
	if (image_load(&im) || ((check || !im.lazy) && image_verify_data(&im)))
		return 1;
	if (check) {
		say(1, "ok\n");
		return 0;
	}
	if (im.runner == CKPT_RUNNER_QEMU)
		qemu_relocate_tables(&im, argv);
	if (restore_prepare(&im))
		return 1;
	restore_run(&im);
}
