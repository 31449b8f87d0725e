package org.adatoken3d.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one persistent worker pool every kernel splits its work over.
 *
 * <p>Decoding calls a GEMV a few hundred times per token, each lasting well under a millisecond, so the pool
 * never creates threads per call: {@code threads() - 1} daemon workers wait for the next job, spinning briefly
 * before they park, and the calling thread takes part in the work. A job {@code [0, n)} is cut into at most
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

    private static final class Pool {
        /** How long an idle worker spins before parking: covers the gap between back-to-back kernel calls. */
        private static final long SPIN_NANOS = 200_000;

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

        private void awaitWorkers() {
            long start = System.nanoTime();
            while (unfinished.get() > 0) {
                if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                else LockSupport.parkNanos(20_000);
            }
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
                    if (System.nanoTime() - start < Pool.SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (pool.generation == seen) LockSupport.park(this);
                        parked = false;
                    }
                }
                seen = pool.generation;
                if (pool.stopped) return;
                pool.work();
                pool.unfinished.decrementAndGet();
            }
        }
    }
}
