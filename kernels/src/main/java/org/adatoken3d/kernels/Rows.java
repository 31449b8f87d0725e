package org.adatoken3d.kernels;

/** Splits row-wise element work over the pool only when there is enough of it to pay for waking the workers. */
final class Rows {
    /** Below this many values, one thread finishes before the others would have woken up. */
    static final int PARALLEL_MIN_VALUES = 1 << 15;

    private Rows() {}

    static void forEach(int rows, int dim, Parallel.RangeTask task) {
        if ((long) rows * dim < PARALLEL_MIN_VALUES || rows < 2) task.run(0, rows);
        else Parallel.forRange(rows, task);
    }

    /** Element-wise work over {@code [0, n)}, in ranges of whole vectors except the last. */
    static void forEach(int n, Parallel.RangeTask task) {
        if (n < PARALLEL_MIN_VALUES) {
            task.run(0, n);
            return;
        }
        int blocks = (n + 1023) / 1024;
        Parallel.forRange(blocks, (from, to) -> task.run(from * 1024, Math.min(n, to * 1024)));
    }
}
