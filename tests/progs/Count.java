/* A JVM under libckpt.so: some twenty threads (compiler, GC, signal
 * dispatcher...), its own SIGUSR2 (so the checkpoint signal is USR1), and
 * every thread asks glibc where its stack is.  Count prints numbered
 * lines of a running hash, as the C test programs do. */
public class Count {
	public static void main(String[] args) throws Exception {
		long h = 1469598103934665603L;
		for (int i = 0; i < 150; i++) {
			for (int k = 0; k < 20000; k++)
				h = (h ^ k) * 1099511628211L;
			System.out.printf("%04d %016x%n", i, h);
			Thread.sleep(20);
		}
	}
}
