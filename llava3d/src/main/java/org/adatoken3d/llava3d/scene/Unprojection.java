package org.adatoken3d.llava3d.scene;

/**
 * Patch positions in the aligned world (LLaVA-3D's {@code unproject} then {@code interpolate_depth}): every
 * pixel (u, v) of the cropped depth lifts to camera coordinates {@code ((u − cx)·z/fx, (v − cy)·z/fy, z)} and
 * through {@code axis_align · pose} to the world; the patch grid then takes, by nearest interpolation, the pixel
 * at the top-left of each patch: row {@code i·(size/grid)}, column {@code j·(size/grid)}. A pixel without depth
 * (z = 0) lands on the camera centre, as in LLaVA-3D.
 */
public final class Unprojection {
    private Unprojection() {}

    /** {@code [grid·grid][3]} world coordinates, row-major over the patch grid. */
    public static float[] patchXyz(ProcessedDepth depth, Matrix4 worldFromCamera, int grid) {
        int size = depth.size();
        if (grid < 1 || size % grid != 0) throw new IllegalArgumentException("patch grid " + grid + " does not divide the depth size " + size);
        int step = size / grid;
        CameraIntrinsics k = depth.intrinsics();
        double[] m = worldFromCamera.m();
        float[] xyz = new float[grid * grid * 3];
        for (int i = 0; i < grid; i++) {
            for (int j = 0; j < grid; j++) {
                int u = j * step, v = i * step;
                double z = depth.metres()[v * size + u];
                double x = (u - k.cx()) * z / k.fx(), y = (v - k.cy()) * z / k.fy();
                double w = m[12] * x + m[13] * y + m[14] * z + m[15];
                int o = (i * grid + j) * 3;
                for (int a = 0; a < 3; a++) xyz[o + a] = (float) ((m[a * 4] * x + m[a * 4 + 1] * y + m[a * 4 + 2] * z + m[a * 4 + 3]) / w);
            }
        }
        return xyz;
    }
}
