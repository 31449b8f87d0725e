package org.adatoken3d.kernels;

import static org.adatoken3d.testing.SeededCases.between;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void forRangeCoversEveryIndexExactlyOnce() {
        int before = Parallel.threads();
        try {
            SeededCases.run("forRangeCoversEveryIndexExactlyOnce", 200, rnd -> {
                if (rnd.nextInt(20) == 0) Parallel.setThreads(between(rnd, 1, 5));
                int n = rnd.nextInt(4) == 0 ? between(rnd, 0, 3) : between(rnd, 0, 5000);
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                Parallel.forRange(n, (from, to) -> {
                    for (int i = from; i < to; i++) hits.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "index " + i + " of " + n);
            });
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void nestedCallsRunInlineWithoutDeadlock() {
        int n = 64;
        AtomicIntegerArray hits = new AtomicIntegerArray(n * n);
        Parallel.forRange(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                int row = i;
                Parallel.forRange(n, (f, t) -> {
                    for (int j = f; j < t; j++) hits.incrementAndGet(row * n + j);
                });
            }
        });
        for (int i = 0; i < n * n; i++) assertEquals(1, hits.get(i));
    }

    @Test
    void aFailingRangeIsRethrownToTheCaller() {
        IllegalStateException boom = new IllegalStateException("boom");
        var thrown = assertThrows(IllegalStateException.class, () -> Parallel.forRange(1000, (from, to) -> {
            if (from <= 500 && 500 < to) throw boom;
        }));
        assertSame(boom, thrown);
        // The pool still works afterwards.
        AtomicIntegerArray hits = new AtomicIntegerArray(10);
        Parallel.forRange(10, (from, to) -> {
            for (int i = from; i < to; i++) hits.incrementAndGet(i);
        });
        for (int i = 0; i < 10; i++) assertEquals(1, hits.get(i));
    }

    /**
     * More pool threads than cores, and a second caller on another thread at the same time (which runs its jobs
     * inline): every index still covered once, and every job returns, through the yield and park phases alike.
     */
    @Test
    void oversubscribedPoolWithTwoCallersCoversEveryIndex() throws Exception {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(4 * Runtime.getRuntime().availableProcessors() + 1);
            Thread other = new Thread(() -> coverRandomRanges("second caller", 300));
            other.start();
            coverRandomRanges("first caller", 300);
            other.join();
        } finally {
            Parallel.setThreads(before);
        }
    }

    private static void coverRandomRanges(String name, int jobs) {
        SeededCases.run("oversubscribedPoolWithTwoCallersCoversEveryIndex/" + name, jobs, rnd -> {
            int n = between(rnd, 1, 3000);
            AtomicIntegerArray hits = new AtomicIntegerArray(n);
            if (rnd.nextInt(10) == 0) Thread.sleep(1); // let the workers reach their park phase
            Parallel.forRange(n, (from, to) -> {
                for (int i = from; i < to; i++) hits.incrementAndGet(i);
            });
            for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), name + ": index " + i + " of " + n);
        });
    }

    @Test
    void threadCountMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    }
}
