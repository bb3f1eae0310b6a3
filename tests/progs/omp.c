/* OpenMP (libgomp): a reduction in stages (integers: the order in which
 * threads combine their parts varies); between parallel regions the
 * thread pool is parked by libgomp. */
#include <omp.h>
#include "step.h"

int main(void)
{
	omp_set_num_threads(4);
	for (int s = 0; s < 40; s++) {
		long sum = 0;
#pragma omp parallel for reduction(+ : sum) schedule(static)
		for (long i = 0; i < 200000; i++)
			sum += (i * 7919 + s) % 1009 * (1 + i % 13);
		STEP(s, "stage sum %ld threads %d", sum, omp_get_max_threads());
		step_pause(40);
	}
	return 0;
}
