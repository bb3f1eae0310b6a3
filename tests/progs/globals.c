/* Globals, statics, TLS (initialised and zeroed), errno-like state. */
#include <string.h>
#include "step.h"

int g_init = 12345;
long g_zero;
static char s_buf[8192] = "static buffer";
__thread long t_init = 777;
__thread long t_zero;
__thread char t_buf[256];

int main(void)
{
	for (int i = 0; i < 50; i++) {
		g_init = g_init * 1103515245 + 12345;
		g_zero += i;
		t_init ^= (long)g_init << 7;
		t_zero += g_zero;
		s_buf[i % sizeof(s_buf)] ^= (char)i;
		memcpy(t_buf + (i % 200), &g_init, sizeof(g_init));
		unsigned long h = 0;
		for (size_t k = 0; k < sizeof(t_buf); k++)
			h = h * 131 + (unsigned char)t_buf[k];
		STEP(i, "%d %ld %ld %ld %d %lu", g_init, g_zero, t_init, t_zero, s_buf[i % 13], h);
		step_pause(40);
	}
	return 0;
}
