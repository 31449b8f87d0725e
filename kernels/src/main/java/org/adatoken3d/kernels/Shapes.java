package org.adatoken3d.kernels;

/** Argument checks shared by the kernels: a wrong size fails here with the names involved, not deep in a loop. */
final class Shapes {
    private Shapes() {}

    static void rows(String name, float[] a, int rows, int dim) {
        if (rows < 0 || dim < 0) throw new IllegalArgumentException(name + ": negative shape " + rows + " x " + dim);
        if ((long) rows * dim > a.length) {
            throw new IllegalArgumentException(name + " holds " + a.length + " values, " + rows + " x " + dim + " needed");
        }
    }

    static void vector(String name, float[] a, int n) {
        if (n < 0) throw new IllegalArgumentException(name + ": negative length " + n);
        if (a.length < n) throw new IllegalArgumentException(name + " holds " + a.length + " values, " + n + " needed");
    }

    static void range(String name, float[] a, int offset, int length) {
        if (offset < 0 || length < 0 || (long) offset + length > a.length) {
            throw new IllegalArgumentException(name + ": range [" + offset + ", " + ((long) offset + length) + ") is outside [0, " + a.length + ")");
        }
    }
}
