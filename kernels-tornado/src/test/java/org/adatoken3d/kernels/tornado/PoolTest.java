package org.adatoken3d.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

/** The pool allocator: live ranges never overlap, and freeing everything gives the whole pool back. */
class PoolTest {
    @Test
    void liveRangesNeverOverlapAndFreedRangesMerge() {
        SeededCases.run("tornadoPoolRangesAreDisjoint", 50, r -> {
            int capacity = 1000 + r.nextInt(5000);
            Pool pool = new Pool("test", "test.MiB", capacity);
            List<int[]> live = new ArrayList<>();
            for (int step = 0; step < 300; step++) {
                if (live.isEmpty() || r.nextInt(3) != 0) {
                    int length = 1 + r.nextInt(r.nextInt(8) == 0 ? 600 : 40);
                    int start;
                    try {
                        start = pool.allocate(length);
                    } catch (IllegalStateException full) {
                        continue; // fragmentation may refuse a range; the invariant is about what it grants
                    }
                    assertTrue(start >= 0 && start + length <= capacity, "range [" + start + ", " + (start + length) + ") inside the pool");
                    for (int[] other : live) {
                        assertTrue(start + length <= other[0] || other[0] + other[1] <= start,
                                "[" + start + ", " + (start + length) + ") overlaps live [" + other[0] + ", " + (other[0] + other[1]) + ")");
                    }
                    live.add(new int[] {start, length});
                } else {
                    int[] gone = live.remove(r.nextInt(live.size()));
                    pool.release(gone[0], gone[1]);
                }
            }
            for (int[] gone : live) pool.release(gone[0], gone[1]);
            assertEquals(0, pool.allocate(capacity), "everything freed: the whole pool is one range again");
        });
    }

    @Test
    void aFullPoolNamesThePropertyThatSizesIt() {
        Pool pool = new Pool("f32", "adatoken3d.tornado.f32MiB", 10);
        pool.allocate(8);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.allocate(3));
        assertTrue(e.getMessage().contains("-Dadatoken3d.tornado.f32MiB"), e.getMessage());
    }
}
