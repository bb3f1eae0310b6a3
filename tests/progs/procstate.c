/* Process state beyond memory: reads a file line by line while an
 * ITIMER_REAL ticks, handles its own SIGINT, keeps a blocked SIGHUP
 * pending, appends to a log (O_APPEND), and depends on its umask, a lowered
 * RLIMIT_NOFILE and its working directory. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "step.h"

static volatile sig_atomic_t ticks, ints;
static void on_alrm(int s) { (void)s; ticks++; }
static void on_int(int s) { (void)s; ints++; }

int main(int argc, char **argv)
{
	char line[128], cwd[4096];
	struct rlimit rl = { 200, 4096 };
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
	sigset_t hup;
	int n = 0, last = 0;

	if (argc < 3)
		return 2;
	umask(027);
	setrlimit(RLIMIT_NOFILE, &rl);
	signal(SIGALRM, on_alrm);
	signal(SIGINT, on_int);
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	sigprocmask(SIG_BLOCK, &hup, 0);
	raise(SIGHUP);                        /* stays pending */
	setitimer(ITIMER_REAL, &it, 0);
	FILE *in = fopen(argv[1], "r");
	int log = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0666);
	if (!in || log < 0)
		return 1;
	while (fgets(line, sizeof(line), in)) {
		sigset_t pend;
		line[strcspn(line, "\n")] = 0;
		raise(SIGINT);
		step_pause(60);
		sigpending(&pend);
		getrlimit(RLIMIT_NOFILE, &rl);
		mode_t m = umask(0);
		umask(m);
		if (!getcwd(cwd, sizeof(cwd)))
			strcpy(cwd, "?");
		STEP(n, "%s | ticking %s ints %d hup %d umask %03o nofile %lu/%lu cwd %s", line,
		     ticks > last ? "yes" : "no", (int)ints, sigismember(&pend, SIGHUP), m,
		     (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max, strrchr(cwd, '/'));
		dprintf(log, "log %d %s\n", n, line);
		last = ticks;
		n++;
	}
	return 0;
}
