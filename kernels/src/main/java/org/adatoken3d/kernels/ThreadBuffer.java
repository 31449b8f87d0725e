package org.adatoken3d.kernels;

/**
 * A float array per thread, grown to the largest size asked of it and then kept, so that a kernel called a few
 * hundred times per token allocates its scratch once per thread.
 */
final class ThreadBuffer {
    private final ThreadLocal<float[]> buffer = ThreadLocal.withInitial(() -> new float[0]);

    /** This thread's array, at least {@code floats} long; its contents are whatever the last use left. */
    float[] atLeast(int floats) {
        float[] b = buffer.get();
        if (b.length < floats) {
            b = new float[floats];
            buffer.set(b);
        }
        return b;
    }
}
