/* FPU, SSE and AVX state live in registers when the signal arrives: a
 * long asm loop keeps accumulators in ymm0-ymm7 and xmm8-xmm15, never in
 * memory; the rounding mode (MXCSR and x87) is changed from the default.
 *   fpu [ITERS [THREADS]]: with THREADS, that many run the loop at once,
 * each from its own values and in its own rounding mode (both are per
 * thread), meeting at a barrier after each step.  Every instruction of
 * the loop is VEX-encoded: a legacy SSE one (addsd) after ymm writes costs
 * a state transition, 140 ns each on some hosts here (the loop ran 70x
 * slower and the cases timed out). */
#include <fenv.h>
#include <pthread.h>
#include <stdlib.h>
#include <math.h>
#include "step.h"

static void avx_loop(long iters, double out[32], int k)
{
	__asm__ volatile(
		"vbroadcastsd (%1), %%ymm0\n\t"
		"vbroadcastsd 8(%1), %%ymm1\n\t"
		"vmovapd %%ymm0, %%ymm2\n\t vmovapd %%ymm1, %%ymm3\n\t"
		"vmovapd %%ymm0, %%ymm4\n\t vmovapd %%ymm1, %%ymm5\n\t"
		"vmovapd %%ymm0, %%ymm6\n\t vmovapd %%ymm1, %%ymm7\n\t"
		"movsd 16(%1), %%xmm8\n\t movsd 16(%1), %%xmm9\n\t"
		"1:\n\t"
		"vmulpd %%ymm1, %%ymm0, %%ymm0\n\t vaddpd %%ymm3, %%ymm2, %%ymm2\n\t"
		"vsubpd %%ymm5, %%ymm4, %%ymm4\n\t vaddpd %%ymm0, %%ymm6, %%ymm6\n\t"
		"vmulpd %%ymm7, %%ymm7, %%ymm7\n\t vaddpd %%ymm1, %%ymm7, %%ymm7\n\t"
		"vaddsd %%xmm9, %%xmm8, %%xmm8\n\t"
		"dec %0\n\t jnz 1b\n\t"
		"vmovupd %%ymm0, 0(%2)\n\t vmovupd %%ymm2, 32(%2)\n\t"
		"vmovupd %%ymm4, 64(%2)\n\t vmovupd %%ymm6, 96(%2)\n\t"
		"vmovupd %%ymm7, 128(%2)\n\t movsd %%xmm8, 160(%2)\n\t"
		"vzeroupper\n\t"
		: "+r"(iters)
		: "r"((double[]){ 1.0000001 + k * 1e-8, 0.9999999 - k * 1e-8, 1e-9 * (k + 1) }), "r"(out)
		: "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		  "xmm8", "xmm9", "cc");
}

#define STEPS 12
static const int modes[] = { FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO, FE_TONEAREST };
static pthread_barrier_t bar;
static long iters;
static int nthreads;
static double res[8][STEPS][6];
static long double xs[8][STEPS];

/* thread k's steps; thread 0 (main) prints every thread's after each */
static void *steps(void *arg)
{
	int k = (int)(long)arg;
	double out[32] = { 0 };
	long double x = 1.0L;

	fesetround(modes[k % 4]);
	for (int i = 0; i < STEPS; i++) {
		avx_loop(iters, out, k);
		x = x * 1.000000001L + 1e-12L * (k + 1);
		for (int j = 0; j < 6; j++)
			res[k][i][j] = out[4 * j];
		xs[k][i] = x;
		pthread_barrier_wait(&bar);
		for (int t = 0; k == 0 && t < nthreads; t++)
			STEP(i * nthreads + t, "%d: %.17g %.17g %.17g %.17g %.17g %.17g %.21Lg %.17g", t,
			     res[t][i][0], res[t][i][1], res[t][i][2], res[t][i][3], res[t][i][4],
			     res[t][i][5], xs[t][i], nextafter(1.0, 2.0) + 1e-17);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 1;
	pthread_t t[8];

	iters = argc > 1 ? atol(argv[1]) : 30000000;
	nthreads = n = n < 1 ? 1 : n > 8 ? 8 : n;
	pthread_barrier_init(&bar, 0, n);
	for (long k = 1; k < n; k++)
		pthread_create(&t[k], 0, steps, (void *)k);
	steps(0);
	for (int k = 1; k < n; k++)
		pthread_join(t[k], 0);
	return 0;
}
