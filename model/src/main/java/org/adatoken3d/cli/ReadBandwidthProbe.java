package org.adatoken3d.cli;

/** Single-threaded streaming read of a large array: an interim figure until the kernels module measures it. */
final class ReadBandwidthProbe {
    static double measureBytesPerSecond() {
        long n = 1L << 28;
        float[] a = new float[(int) (n / 4)];
        long t0 = System.nanoTime();
        double s = 0;
        for (int r = 0; r < 3; r++) for (float v : a) s += v;
        return 3 * n / ((System.nanoTime() - t0) / 1e9) + s;
    }
}
