package org.adatoken3d.llava3d.scene;

import java.util.Arrays;

/** A 4×4 matrix in row-major order: camera poses (camera-to-world), intrinsics and the axis alignment. */
public record Matrix4(double[] m) {
    /** How far RᵀR may stray from the identity: poses stored as text with 6 to 8 digits are orthonormal to ~1e-6. */
    static final double ROTATION_TOLERANCE = 1e-3;
    /** A camera more than this many metres from the origin is not in a room-scale scene. */
    static final double MAX_TRANSLATION = 1e4;

    public Matrix4 {
        if (m.length != 16) throw new IllegalArgumentException("a 4x4 matrix needs 16 values, got " + m.length);
        m = m.clone();
    }

    public static Matrix4 identity() {
        double[] m = new double[16];
        m[0] = m[5] = m[10] = m[15] = 1;
        return new Matrix4(m);
    }

    @Override
    public double[] m() {
        return m.clone();
    }

    public double get(int row, int col) {
        return m[row * 4 + col];
    }

    /** {@code this · other}. */
    public Matrix4 times(Matrix4 other) {
        double[] r = new double[16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                double s = 0;
                for (int k = 0; k < 4; k++) s += m[i * 4 + k] * other.m[k * 4 + j];
                r[i * 4 + j] = s;
            }
        }
        return new Matrix4(r);
    }

    /** Inverse of a rigid transform [R t; 0 1]: [Rᵀ −Rᵀt; 0 1]. */
    public Matrix4 rigidInverse() {
        double[] r = new double[16];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) r[i * 4 + j] = m[j * 4 + i];
            r[i * 4 + 3] = -(m[i] * m[3] + m[4 + i] * m[7] + m[8 + i] * m[11]);
        }
        r[15] = 1;
        return new Matrix4(r);
    }

    public boolean hasInfinity() {
        for (double v : m) if (Double.isInfinite(v)) return true;
        return false;
    }

    public boolean hasNaN() {
        for (double v : m) if (Double.isNaN(v)) return true;
        return false;
    }

    /**
     * Null if this is a rigid transform (orthonormal rotation with determinant +1, last row 0 0 0 1, translation
     * within {@link #MAX_TRANSLATION}); otherwise what is wrong with it.
     */
    public String rigidityProblem() {
        if (hasNaN() || hasInfinity()) return "has non-finite entries";
        if (Math.abs(m[12]) > 1e-6 || Math.abs(m[13]) > 1e-6 || Math.abs(m[14]) > 1e-6 || Math.abs(m[15] - 1) > 1e-6) {
            return String.format("last row is %s, expected 0 0 0 1", rowText(3));
        }
        double worst = 0;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double dot = m[i] * m[j] + m[4 + i] * m[4 + j] + m[8 + i] * m[8 + j];
                worst = Math.max(worst, Math.abs(dot - (i == j ? 1 : 0)));
            }
        }
        if (worst > ROTATION_TOLERANCE) return String.format("rotation part is not orthonormal (|RᵀR − I| up to %.3g)", worst);
        double det = m[0] * (m[5] * m[10] - m[6] * m[9]) - m[1] * (m[4] * m[10] - m[6] * m[8]) + m[2] * (m[4] * m[9] - m[5] * m[8]);
        if (det < 0) return "rotation part is a reflection (determinant " + String.format("%.3g", det) + ")";
        for (int i = 0; i < 3; i++) {
            if (Math.abs(m[i * 4 + 3]) > MAX_TRANSLATION) {
                return String.format("translation %s is more than %.0f m from the origin", column3Text(), MAX_TRANSLATION);
            }
        }
        return null;
    }

    private String rowText(int r) {
        return String.format("%g %g %g %g", m[r * 4], m[r * 4 + 1], m[r * 4 + 2], m[r * 4 + 3]);
    }

    private String column3Text() {
        return String.format("(%g, %g, %g)", m[3], m[7], m[11]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Matrix4 other && Arrays.equals(m, other.m);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(m);
    }

    @Override
    public String toString() {
        return rowText(0) + " / " + rowText(1) + " / " + rowText(2) + " / " + rowText(3);
    }
}
