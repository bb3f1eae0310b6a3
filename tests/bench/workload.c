/* The benchmark workload: MODE dense N (N MiB, every page written) or
 * sparse N M (N MiB reserved, M MiB touched) or hello (nothing); with
 * FILES set in the environment, that many files open besides; with
 * LISTENERS, that many TCP sockets listening on 127.0.0.1 (ports the
 * kernel picks), which a restart binds again.  Then it
 * THREADS=N, N threads in all, the others idle on a condition variable
 * (a parked pool), or with BUSY=1 computing without end.  Then it reads the clock in a tight loop: the longest gap between two readings
 * is the pause the program saw (to a microsecond or so).  SIGUSR1 prints
 * "gap <max ms>" and resets it; a change of the real pid (we were
 * restarted: getpid() keeps answering the old one, so the system call
 * itself), checked every millisecond, prints "resumed"; "fork <ms>" at start is
 * the floor: one fork() of this very process.  SIGHUP rewrites 1% of the
 * dense memory (every 100th page) and prints "rewritten": what changes
 * between two incremental checkpoints.  TREE=N: N processes in all, the
 * others forked once the memory is set up, each writing all of it again
 * (its own copy), then sleeping; a restart into a pid namespace (a
 * tree's) keeps the pid, so "resumed" also follows a change of
 * /proc/self/ns/pid. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

static volatile sig_atomic_t report, rewrite;
static unsigned char *mem;
static size_t mem_len;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static void *busy(void *arg)
{
	volatile unsigned long n = 0;
	for (;;)
		n++;
	return arg;
}

static void *idle(void *arg)
{
	pthread_mutex_lock(&mu);
	for (;;)
		pthread_cond_wait(&never, &mu);
	return arg;
}
static void on_usr1(int s) { (void)s; report = 1; }
static void on_hup(int s) { (void)s; rewrite = 1; }

static ino_t pid_ns(void)
{
	struct stat st;
	return stat("/proc/self/ns/pid", &st) ? 0 : st.st_ino;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 2 ? strtoul(argv[2], 0, 10) : 0, touch = argc > 3 ? strtoul(argv[3], 0, 10) : mib;
	if (mib) {
		unsigned char *m = mmap(0, mib << 20, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (m == MAP_FAILED)
			return 1;
		size_t step = touch >= mib ? 4096 : (mib << 20) / ((touch << 20) / 4096);
		for (size_t i = 0; i < (mib << 20); i += step)
			memset(m + i, (int)(i >> 12) | 1, 4096);
		mem = m;
		mem_len = mib << 20;
	}
	for (int n = getenv("FILES") ? atoi(getenv("FILES")) : 0; n > 0; n--)
		if (open(argv[0], O_RDONLY) < 0)
			return 1;
	for (int n = getenv("LISTENERS") ? atoi(getenv("LISTENERS")) : 0; n > 0; n--) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 16))
			return 1;
	}
	for (int n = getenv("THREADS") ? atoi(getenv("THREADS")) : 1; n > 1; n--) {
		pthread_t t;
		if (pthread_create(&t, 0, getenv("BUSY") ? busy : idle, 0))
			return 1;
	}
	for (int n = getenv("TREE") ? atoi(getenv("TREE")) : 1; n > 1; n--)
		if (fork() == 0) {
			for (size_t i = 0; i < mem_len; i += 4096)
				mem[i] ^= 1;
			for (;;)
				pause();
		}
	signal(SIGUSR1, on_usr1);
	signal(SIGHUP, on_hup);
	double t0 = now_ms();
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	double fork_ms = now_ms() - t0;
	waitpid(c, 0, 0);
	long me = syscall(SYS_getpid);
	ino_t ns = pid_ns();
	printf("fork %.3f\nready\n", fork_ms);
	fflush(stdout);
	double last = now_ms(), gap = 0, beat = last;
	for (;;) {
		double t = now_ms();
		if (t - last > gap)
			gap = t - last;
		last = t;
		if (t - beat < 1.0)
			continue;
		beat = t;
		if (syscall(SYS_getpid) != me || pid_ns() != ns) {
			me = syscall(SYS_getpid);
			ns = pid_ns();
			printf("resumed\n");
			fflush(stdout);
		}
		if (rewrite) {
			rewrite = 0;
			for (size_t i = 0; i < mem_len; i += 100 * 4096)
				mem[i + 8] ^= 0x5a;
			printf("rewritten\n");
			fflush(stdout);
			last = now_ms();
		}
		if (report) {
			report = 0;
			printf("gap %.3f\n", gap);
			fflush(stdout);
			gap = 0;
			last = now_ms();
		}
	}
}
