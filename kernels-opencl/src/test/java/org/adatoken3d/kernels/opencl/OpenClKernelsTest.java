package org.adatoken3d.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.adatoken3d.kernels.backend.BackendKernelsTest;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

/** The shared kernel tests on {@code --device opencl}, and the tile sizes this backend picks per device. */
class OpenClKernelsTest extends BackendKernelsTest {
    @Override
    protected Device open() {
        OpenClBackend cl = OpenClTestDevice.open();
        return new Device(cl, cl::readInts);
    }

    @Test
    void tileSizesStayWithinTheDeviceLimits() {
        SeededCases.run("tileSizesWithinLimits", 200, r -> {
            long wg = 1L << r.nextInt(12), items = 1L << r.nextInt(12), local = 64L << r.nextInt(12);
            TileSizes t = TileSizes.choose(wg, items, local, r.nextBoolean());
            int b = t.gemmBlock();
            assertTrue((long) t.gemmTile() * t.gemmTile() <= wg && t.gemmTile() <= items, t + " within work-group " + wg + ", items " + items);
            assertTrue(2L * b * (b + 1) * 4 <= local || b == 1, t + " within local memory " + local);
            assertTrue(t.reductionGroup() <= Math.max(1, Math.min(wg, items)), t + " reduction group within " + wg);
            assertEquals(0, t.reductionGroup() & (t.reductionGroup() - 1), "reduction group is a power of two");
        });
        assertEquals(new TileSizes(16, 4, 64), TileSizes.choose(1024, 1024, 64 * 1024, false), "a large GPU gets the largest tiles");
        assertEquals(new TileSizes(16, 2, 64), TileSizes.choose(1024, 1024, 32 * 1024, false), "32 KiB of local memory halves the outputs per item");
        assertEquals(new TileSizes(4, 4, 32), TileSizes.choose(32, 32, 32 * 1024, false), "a 32-item work-group limit shrinks edge and reductions");
        assertEquals(new TileSizes(16, 4, 16), TileSizes.choose(4096, 4096, 1 << 20, true), "a CPU device reduces one vector wide");
    }
}
