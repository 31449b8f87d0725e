package org.adatoken3d.llava3d.scene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class ViewSamplerTest {
    @Test
    void takesEveryStepThFrameFromTheFirstAsLlava3dDoes() {
        // 1234 frames, 20 views: step 1234 // 20 = 61.
        int[] ids = ViewSampler.uniform(1234, 20);
        assertEquals(20, ids.length);
        for (int i = 0; i < 20; i++) assertEquals(61 * i, ids[i]);
    }

    @Test
    void fewFramesAreEachTakenOnce() {
        assertArrayEquals(new int[] {0, 1, 2}, ViewSampler.uniform(3, 20));
    }

    @Test
    void samplesAreDistinctAscendingAndSpanTheScanForAnyCount() {
        SeededCases.run("samplesAreDistinctAscendingAndSpanTheScan", 300, rnd -> {
            int n = SeededCases.between(rnd, 1, 5000), views = SeededCases.between(rnd, 1, 40);
            int[] ids = ViewSampler.uniform(n, views);
            assertEquals(Math.min(n, views), ids.length);
            for (int i = 1; i < ids.length; i++) assertTrue(ids[i] > ids[i - 1]);
            assertEquals(0, ids[0]);
            assertTrue(ids[ids.length - 1] < n);
            // The last view lies in the final stretch of one step: the walk is covered to its end.
            assertTrue(n - ids[ids.length - 1] <= 2 * Math.max(1, n / Math.max(1, views)) + views, "last " + ids[ids.length - 1] + " of " + n);
        });
    }
}
