/* Worker threads passing a token round a ring (a mutex and a condition
 * variable), each adding to a shared sum when it holds the token; the
 * main thread prints a line per round and, at the end, joins them, then
 * starts and joins a second set (threads created after a restart).
 * Per-thread state must come back too: each worker keeps a count in a
 * __thread variable, its own signal altstack and mask, and its
 * pthread_self(), and checks them every round.  The workers start with
 * every signal blocked, as xz and other pools create theirs (libckpt.so
 * keeps its checkpoint signal open).
 *   ring [THREADS [ROUNDS [MS]]]   (4, 40, 30) */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include "step.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_cv = PTHREAD_COND_INITIALIZER, round_cv = PTHREAD_COND_INITIALIZER;
static int nthreads, turn, rounds, round_done = -1, bad;
static unsigned long sum, *round_sum;   /* the sum as each round ended */
static __thread unsigned long mine;   /* this thread's turns */

/* this thread's altstack, mask and identity are still what it set */
static int same_self(const stack_t *ss, pthread_t self, int sig)
{
	stack_t now;
	sigset_t m;

	sigaltstack(0, &now);
	pthread_sigmask(SIG_BLOCK, 0, &m);
	return now.ss_sp == ss->ss_sp && now.ss_size == ss->ss_size &&
	       pthread_equal(self, pthread_self()) && sigismember(&m, sig) &&
	       !sigismember(&m, sig == SIGRTMIN ? SIGRTMIN + 1 : SIGRTMIN);
}

static void *worker(void *arg)
{
	long me = (long)arg;
	stack_t ss = { .ss_sp = malloc(SIGSTKSZ + me * 64), .ss_size = SIGSTKSZ + me * 64 };
	pthread_t self = pthread_self();
	sigset_t open;
	int sig = SIGRTMIN + me % 2;

	/* its own altstack, and all signals but one of two open again */
	sigaltstack(&ss, 0);
	sigfillset(&open);
	sigdelset(&open, sig);
	pthread_sigmask(SIG_UNBLOCK, &open, 0);
	for (int r = 0; r < rounds; r++) {
		if (!same_self(&ss, self, sig))
			__atomic_fetch_add(&bad, 1, __ATOMIC_RELAXED);
		pthread_mutex_lock(&mu);
		while (turn != me)
			pthread_cond_wait(&turn_cv, &mu);
		mine++;
		if (mine != (unsigned long)r + 1)
			bad++;
		sum = sum * 31 + (unsigned long)(me + 1) * (r + 7);
		turn = (turn + 1) % nthreads;
		if (turn == 0) {
			round_sum[r] = sum;
			round_done = r;
		}
		pthread_cond_broadcast(&turn_cv);
		pthread_cond_broadcast(&round_cv);
		pthread_mutex_unlock(&mu);
	}
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, 0);
	free(ss.ss_sp);
	return (void *)mine;
}

static int run(int base, int ms)
{
	pthread_t *t = calloc(nthreads, sizeof(*t));
	long total = 0;
	sigset_t all, old;

	turn = 0;
	round_done = -1;
	round_sum = calloc(rounds, sizeof(*round_sum));
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (long i = 0; i < nthreads; i++)
		if (pthread_create(&t[i], 0, worker, (void *)i))
			return 1;
	pthread_sigmask(SIG_SETMASK, &old, 0);
	for (int r = 0; r < rounds; r++) {
		pthread_mutex_lock(&mu);
		while (round_done < r)
			pthread_cond_wait(&round_cv, &mu);
		unsigned long s = round_sum[r];
		pthread_mutex_unlock(&mu);
		STEP(base + r, "round %d sum %016lx bad %d", r, s, bad);
		step_pause(ms);
	}
	for (int i = 0; i < nthreads; i++) {
		void *ret;
		pthread_join(t[i], &ret);
		total += (long)ret;
	}
	STEP(base + rounds, "joined %d threads, %ld turns", nthreads, total);
	free(t);
	free(round_sum);
	return 0;
}

int main(int argc, char **argv)
{
	int ms;

	nthreads = argc > 1 ? atoi(argv[1]) : 4;
	rounds = argc > 2 ? atoi(argv[2]) : 40;
	ms = argc > 3 ? atoi(argv[3]) : 30;
	if (run(0, ms))
		return 1;
	/* a second set, started (maybe after a restart) and joined */
	return run(rounds + 1, ms);
}
