/* A shared library of the tests' own: which one is loaded shows in the
 * step value (built with -DSTEP_K=N). */
int step_value(int i)
{
	return i * STEP_K;
}
