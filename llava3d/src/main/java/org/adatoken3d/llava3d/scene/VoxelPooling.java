package org.adatoken3d.llava3d.scene;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * LLaVA-3D's voxel pooling ({@code voxelize} + {@code scatter_mean}): each patch goes to the voxel
 * {@code round(xyz / 0.2)} (f32 division, ties to even, as {@code torch.round}); the voxel's token is the mean of its
 * patches' features (and, for reports, of their positions). Tokens are ordered by LLaVA-3D's voxel key
 * {@code (x·Y + y)·Z + z} over the min-shifted indices, i.e. lexicographically by (x, y, z) index, which is the
 * order {@code torch.unique} returns them in.
 *
 * <p>Above {@link #MAX_TOKENS} voxels, LLaVA-3D keeps a random subset in random order ({@code randperm[:2560]});
 * here the permutation is seeded so a run can be repeated.
 */
public final class VoxelPooling {
    public static final double VOXEL_SIZE = 0.2;
    public static final int MAX_TOKENS = 2560;

    /**
     * @param features {@code [count][width]} pooled features
     * @param xyz {@code [count][3]} mean position of each voxel's patches
     * @param voxelOfPoint voxel index of every input point, before any cap
     */
    public record Voxels(int count, int width, float[] features, float[] xyz, int[] voxelOfPoint) {}

    private VoxelPooling() {}

    /** Pools {@code points} rows of {@code features [points][width]} at {@code xyz [points][3]}. */
    public static Voxels pool(float[] xyz, float[] features, int points, int width, double voxelSize) {
        if (points < 1) throw new IllegalArgumentException("no points to pool");
        if (xyz.length != points * 3 || features.length != (long) points * width) {
            throw new IllegalArgumentException("pooling " + points + " points needs " + points * 3 + " coordinates and "
                    + (long) points * width + " feature values, got " + xyz.length + " and " + features.length);
        }
        float size = (float) voxelSize;
        long[] index = new long[points * 3];
        for (int i = 0; i < index.length; i++) {
            float v = xyz[i];
            if (!Float.isFinite(v)) throw new IllegalArgumentException("point " + i / 3 + " has a non-finite coordinate");
            index[i] = (long) Math.rint(v / size);
        }
        Integer[] order = new Integer[points];
        for (int p = 0; p < points; p++) order[p] = p;
        // Stable, so each voxel's points stay in input order and are summed in that order.
        Arrays.sort(order, (a, b) -> {
            for (int k = 0; k < 3; k++) {
                int c = Long.compare(index[a * 3 + k], index[b * 3 + k]);
                if (c != 0) return c;
            }
            return 0;
        });
        int[] voxelOfPoint = new int[points];
        int count = 0;
        for (int r = 0; r < points; r++) {
            if (r > 0 && !sameVoxel(index, order[r], order[r - 1])) count++;
            voxelOfPoint[order[r]] = count;
        }
        count++;
        double[] sums = new double[count * width];
        double[] xyzSums = new double[count * 3];
        int[] members = new int[count];
        for (int p = 0; p < points; p++) {
            int v = voxelOfPoint[p];
            members[v]++;
            for (int c = 0; c < width; c++) sums[v * width + c] += features[p * width + c];
            for (int a = 0; a < 3; a++) xyzSums[v * 3 + a] += xyz[p * 3 + a];
        }
        float[] pooled = new float[count * width];
        float[] centres = new float[count * 3];
        for (int v = 0; v < count; v++) {
            for (int c = 0; c < width; c++) pooled[v * width + c] = (float) (sums[v * width + c] / members[v]);
            for (int a = 0; a < 3; a++) centres[v * 3 + a] = (float) (xyzSums[v * 3 + a] / members[v]);
        }
        return new Voxels(count, width, pooled, centres, voxelOfPoint);
    }

    private static boolean sameVoxel(long[] index, int a, int b) {
        return index[a * 3] == index[b * 3] && index[a * 3 + 1] == index[b * 3 + 1] && index[a * 3 + 2] == index[b * 3 + 2];
    }

    /**
     * The tokens kept under the cap: all of them in voxel order when {@code count <= max}, otherwise the first
     * {@code max} of a seeded random permutation, in that permutation's order.
     */
    public static int[] capOrder(int count, int max, long seed) {
        int[] perm = new int[count];
        for (int i = 0; i < count; i++) perm[i] = i;
        if (count <= max) return perm;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < max; i++) {
            int j = i + rnd.nextInt(count - i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return Arrays.copyOf(perm, max);
    }

    /** Rows {@code order} of a {@code [rows][width]} matrix, in that order. */
    public static float[] gatherRows(float[] rows, int width, int[] order) {
        float[] out = new float[order.length * width];
        for (int i = 0; i < order.length; i++) System.arraycopy(rows, order[i] * width, out, i * width, width);
        return out;
    }
}
