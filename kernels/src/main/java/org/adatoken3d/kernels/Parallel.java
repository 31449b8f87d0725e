package org.adatoken3d.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one persistent worker pool every kernel splits its work over.
 *
 * <p>Decoding calls a GEMV a few hundred times per token, each lasting well under a millisecond, so the pool
 * never creates threads per call: {@code threads() - 1} daemon workers wait for the next job and the calling
 * thread takes part in the work. Waiting is polite (see {@link Waiting}): a short busy spin, then yielding the core
 * to any other runnable thread, then parking. On a machine shared with other work, a pure spin burned the time
 * slice that a descheduled worker needed to finish its chunk, and two threads decoded slower than one. A job {@code [0, n)} is cut into at most
 * {@code 16 * threads()} contiguous chunks that threads claim one at a time, so a thread that the (shared) machine
 * descheduled holds up at most one chunk.
 *
 * <p>Calls from inside a running task, and calls made while another thread owns the pool, run on the calling
 * thread alone: nesting never deadlocks and two independent callers never mix their chunks.
 */
public final class Parallel {
    /** A piece of parallel work: process indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    private static final int CHUNKS_PER_THREAD = 16;
    private static volatile Pool pool = new Pool(Runtime.getRuntime().availableProcessors());

    private Parallel() {}

    /** Sets the number of threads that take part in each job (the caller included); at least 1. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count must be at least 1, got " + n);
        if (n == pool.size) return;
        Pool old = pool;
        pool = new Pool(n);
        old.shutdown();
    }

    /** The number of threads that take part in each job, the caller included. */
    public static int threads() {
        return pool.size;
    }

    /**
     * Runs {@code task} over {@code [0, n)} split into disjoint contiguous ranges that together cover it; returns
     * when all are done. A task may be called several times on one thread. The first exception thrown by any
     * range is rethrown here after all threads have stopped.
     */
    public static void forRange(int n, RangeTask task) {
        if (n < 0) throw new IllegalArgumentException("range size must be non-negative, got " + n);
        if (n == 0) return;
        pool.run(n, task);
    }

    /**
     * How a thread waits for a condition: {@link #SPIN_NANOS} of {@code onSpinWait} (the gap between back-to-back
     * kernel calls of one decoding step is a few microseconds), then {@code Thread.yield()} up to
     * {@link #YIELD_NANOS} (free when nothing else wants the core, and hands it over when something does), then the
     * caller's park. Yielding is what makes the wait polite under contention: with more runnable threads than
     * cores a spinning waiter holds a core that the thread it waits for needs.
     */
    static final class Waiting {
        static final long SPIN_NANOS = 20_000;
        static final long YIELD_NANOS = 200_000;

        private Waiting() {}

        /** One step of waiting that began at {@code start}; false once the waiter should park. */
        static boolean pause(long start) {
            long waited = System.nanoTime() - start;
            if (waited < SPIN_NANOS) {
                Thread.onSpinWait();
                return true;
            }
            if (waited < YIELD_NANOS) {
                Thread.yield();
                return true;
            }
            return false;
        }
    }

    private static final class Pool {

        final int size;
        private final Worker[] workers;
        private final ReentrantLock owner = new ReentrantLock();
        private final AtomicInteger nextChunk = new AtomicInteger();
        private final AtomicInteger unfinished = new AtomicInteger();
        private volatile long generation;
        private volatile boolean stopped;
        private volatile Thread caller;
        // Job description, published by the volatile write of `generation`.
        private RangeTask task;
        private int n;
        private int chunks;
        private volatile Throwable failure;

        Pool(int size) {
            this.size = size;
            this.workers = new Worker[size - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i + 1);
                workers[i].start();
            }
        }

        void run(int n, RangeTask task) {
            Thread me = Thread.currentThread();
            // Inline: nothing to split, a call from inside a running task, or another thread owns the pool.
            if (size == 1 || n == 1 || me instanceof Worker || caller == me || !owner.tryLock()) {
                task.run(0, n);
                return;
            }
            try {
                this.task = task;
                this.n = n;
                this.chunks = Math.min(n, CHUNKS_PER_THREAD * size);
                this.failure = null;
                nextChunk.set(0);
                unfinished.set(workers.length);
                caller = me;
                generation = generation + 1;
                for (Worker w : workers) {
                    if (w.parked) LockSupport.unpark(w);
                }
                work();
                awaitWorkers();
                Throwable t = failure;
                if (t instanceof RuntimeException e) throw e;
                if (t instanceof Error e) throw e;
            } finally {
                caller = null;
                this.task = null;
                owner.unlock();
            }
        }

        /** Claims and runs chunks until none are left; records the first failure. */
        void work() {
            RangeTask t = task;
            int total = n, count = chunks;
            for (int c; (c = nextChunk.getAndIncrement()) < count; ) {
                int from = (int) ((long) total * c / count);
                int to = (int) ((long) total * (c + 1) / count);
                try {
                    t.run(from, to);
                } catch (Throwable e) {
                    if (failure == null) failure = e;
                    nextChunk.set(count); // stop handing out work
                }
            }
        }

        /** The last worker to finish unparks the caller, so a parked caller wakes as soon as the job is done. */
        private void awaitWorkers() {
            long start = System.nanoTime();
            while (unfinished.get() > 0) {
                if (!Waiting.pause(start)) LockSupport.parkNanos(this, 1_000_000);
            }
        }

        void finished() {
            Thread waiter = caller;
            if (unfinished.decrementAndGet() == 0 && waiter != null) LockSupport.unpark(waiter);
        }

        void shutdown() {
            owner.lock();
            try {
                stopped = true;
                generation = generation + 1;
                for (Worker w : workers) LockSupport.unpark(w);
            } finally {
                owner.unlock();
            }
        }
    }

    private static final class Worker extends Thread {
        private final Pool pool;
        /** The generation this worker has served; set before start so a job published before it runs is not missed. */
        private long seen;
        volatile boolean parked;

        Worker(Pool pool, int index) {
            super("adatoken3d-kernel-" + index);
            this.pool = pool;
            this.seen = pool.generation;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                long start = System.nanoTime();
                while (pool.generation == seen) {
                    if (!Waiting.pause(start)) {
                        parked = true;
                        if (pool.generation == seen) LockSupport.park(this);
                        parked = false;
                    }
                }
                seen = pool.generation;
                if (pool.stopped) return;
                pool.work();
                pool.finished();
            }
        }
    }
}
