/* FPU, SSE and AVX state live in registers when the signal arrives: a
 * long asm loop keeps accumulators in ymm0-ymm7 and xmm8-xmm15, never in
 * memory; the rounding mode (MXCSR and x87) is changed from the default. */
#include <fenv.h>
#include <stdlib.h>
#include <math.h>
#include "step.h"

static void avx_loop(long iters, double out[32])
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
		"addsd %%xmm9, %%xmm8\n\t"
		"dec %0\n\t jnz 1b\n\t"
		"vmovupd %%ymm0, 0(%2)\n\t vmovupd %%ymm2, 32(%2)\n\t"
		"vmovupd %%ymm4, 64(%2)\n\t vmovupd %%ymm6, 96(%2)\n\t"
		"vmovupd %%ymm7, 128(%2)\n\t movsd %%xmm8, 160(%2)\n\t"
		"vzeroupper\n\t"
		: "+r"(iters)
		: "r"((double[]){ 1.0000001, 0.9999999, 1e-9 }), "r"(out)
		: "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		  "xmm8", "xmm9", "cc");
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 30000000;
	double out[32] = { 0 };
	long double x = 1.0L;
	fesetround(FE_UPWARD);
	for (int i = 0; i < 12; i++) {
		avx_loop(iters, out);
		x = x * 1.000000001L + 1e-12L;
		STEP(i, "%.17g %.17g %.17g %.17g %.17g %.17g %.21Lg %.17g", out[0], out[4], out[8],
		     out[12], out[16], out[20], x, nextafter(1.0, 2.0) + 1e-17);
	}
	return 0;
}
