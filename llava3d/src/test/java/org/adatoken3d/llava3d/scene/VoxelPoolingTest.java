package org.adatoken3d.llava3d.scene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class VoxelPoolingTest {
    @Test
    void tokensFollowLlava3dVoxelKeysAndAverageTheirPointsForAnyCloud() {
        SeededCases.run("tokensFollowLlava3dVoxelKeysAndAverageTheirPoints", 100, rnd -> {
            int n = SeededCases.between(rnd, 1, 400), width = SeededCases.between(rnd, 1, 9);
            float extent = (float) (0.1 + rnd.nextDouble() * 4);
            float[] xyz = SeededCases.uniform(rnd, n * 3, extent);
            float[] features = SeededCases.uniform(rnd, n * width, 2f);
            VoxelPooling.Voxels v = VoxelPooling.pool(xyz, features, n, width, 0.2);

            // LLaVA-3D's formulation: integer coordinates shifted to start at 0, key = (x * Y + y) * Z + z with
            // per-axis ranges, unique keys ascending.
            long[][] idx = new long[n][3];
            long[] min = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE}, max = {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
            for (int p = 0; p < n; p++) {
                for (int a = 0; a < 3; a++) {
                    idx[p][a] = Math.round(Math.rint(xyz[p * 3 + a] / 0.2f));
                    min[a] = Math.min(min[a], idx[p][a]);
                    max[a] = Math.max(max[a], idx[p][a]);
                }
            }
            TreeMap<Long, double[]> byKey = new TreeMap<>();
            long[] keyOf = new long[n];
            for (int p = 0; p < n; p++) {
                long key = ((idx[p][0] - min[0]) * (max[1] - min[1] + 1) + (idx[p][1] - min[1])) * (max[2] - min[2] + 1) + (idx[p][2] - min[2]);
                keyOf[p] = key;
                double[] acc = byKey.computeIfAbsent(key, k -> new double[width + 1]);
                acc[width] += 1;
                for (int c = 0; c < width; c++) acc[c] += features[p * width + c];
            }
            assertEquals(byKey.size(), v.count());
            int t = 0;
            for (var e : byKey.entrySet()) {
                for (int c = 0; c < width; c++) assertEquals(e.getValue()[c] / e.getValue()[width], v.features()[t * width + c], 1e-5);
                t++;
            }
            Long[] keys = byKey.keySet().toArray(new Long[0]);
            for (int p = 0; p < n; p++) assertEquals((long) keys[v.voxelOfPoint()[p]], keyOf[p], "point " + p);
            for (int p = 0; p < n; p++) {
                for (int a = 0; a < 3; a++) {
                    // The voxel's mean position lies within its cell.
                    float c = v.xyz()[v.voxelOfPoint()[p] * 3 + a];
                    assertTrue(Math.abs(c / 0.2 - idx[p][a]) <= 0.5 + 1e-4);
                }
            }
        });
    }

    @Test
    void capKeepsASeededRandomSubsetAboveTheLimit() {
        assertArrayEquals(new int[] {0, 1, 2}, VoxelPooling.capOrder(3, 2560, 1));
        int[] a = VoxelPooling.capOrder(5000, 2560, 42), b = VoxelPooling.capOrder(5000, 2560, 42);
        assertArrayEquals(a, b);
        assertEquals(2560, a.length);
        Set<Integer> distinct = new HashSet<>();
        for (int i : a) {
            assertTrue(i >= 0 && i < 5000);
            distinct.add(i);
        }
        assertEquals(2560, distinct.size());
        assertTrue(!java.util.Arrays.equals(a, VoxelPooling.capOrder(5000, 2560, 43)));
    }
}
