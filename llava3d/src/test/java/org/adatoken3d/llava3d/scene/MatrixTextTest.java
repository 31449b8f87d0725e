package org.adatoken3d.llava3d.scene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.adatoken3d.testing.SeededCases;
import org.adatoken3d.weights.InvalidFileException;
import org.junit.jupiter.api.Test;

class MatrixTextTest {
    private static final Path FILE = Path.of("pose/12.txt");

    @Test
    void parsesNumpySavetxtLayout() {
        Matrix4 m = MatrixText.parse(FILE, "1.000000000000000000e+00 0 0 2.5\n0 1 0 -3e-1\n0 0 1 .5\n0 0 0 1\n");
        assertEquals(2.5, m.get(0, 3));
        assertEquals(-0.3, m.get(1, 3));
        assertEquals(0.5, m.get(2, 3));
        assertNull(m.rigidityProblem());
    }

    @Test
    void readsScanNetLostTrackingPoseAsInfinite() {
        Matrix4 m = MatrixText.parse(FILE, "-inf -inf -inf -inf\n-inf -inf -inf -inf\n-inf -inf -inf -inf\n-inf -inf -inf -inf\n");
        assertTrue(m.hasInfinity());
    }

    @Test
    void padsThreeByThreeIntrinsics() {
        Matrix4 m = MatrixText.parse(FILE, "577.6 0 319.5\n0 578.7 239.5\n0 0 1");
        CameraIntrinsics k = CameraIntrinsics.of(FILE, m);
        assertEquals(new CameraIntrinsics(577.6, 578.7, 319.5, 239.5), k);
        assertEquals(1.0, m.get(3, 3));
    }

    @Test
    void badTextNamesFileAndProblem() {
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> MatrixText.parse(FILE, "1 2 3"));
        assertEquals("pose/12.txt: holds 3 numbers, expected 16 (a 4x4 matrix)", e.getMessage());
        e = assertThrows(InvalidFileException.class, () -> MatrixText.parse(FILE, "1 0 0 0 0 1 0 0 0 0 1 0 0 0 0 0x1p3"));
        assertEquals("pose/12.txt: '0x1p3' is not a number", e.getMessage());
        e = assertThrows(InvalidFileException.class, () -> MatrixText.parse(FILE, "  \n"));
        assertTrue(e.getMessage().contains("is empty"));
    }

    @Test
    void readsAxisAlignmentLineOfScanMetaFile() {
        String meta = "colorHeight = 968\naxisAlignment = 0 1 0 -1.5 -1 0 0 2 0 0 1 -0.1 0 0 0 1\nsceneType = Bedroom\n";
        Matrix4 m = MatrixText.parseAxisAlignment(Path.of("scene0000_00.txt"), meta);
        assertEquals(-1.5, m.get(0, 3));
        assertEquals(-1.0, m.get(1, 0));
        assertNull(MatrixText.parseAxisAlignment(Path.of("scene0000_00.txt"), "colorHeight = 968\n"));
    }

    @Test
    void badIntrinsicsAreRejected() {
        Matrix4 m = MatrixText.parse(FILE, "0 0 319.5 0 0 578 239.5 0 0 0 1 0 0 0 0 1");
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> CameraIntrinsics.of(FILE, m));
        assertTrue(e.getMessage().contains("focal lengths"), e.getMessage());
    }

    @Test
    void rigidTransformsPassAndPerturbedOnesFailForAnyRotation() {
        SeededCases.run("rigidTransformsPassAndPerturbedOnesFail", 200, rnd -> {
            Matrix4 pose = randomRigid(rnd);
            assertNull(pose.rigidityProblem(), pose.toString());
            Matrix4 roundTrip = pose.times(pose.rigidInverse());
            for (int i = 0; i < 16; i++) assertEquals(Matrix4.identity().m()[i], roundTrip.m()[i], 1e-12);
            double[] bent = pose.m();
            bent[rnd.nextInt(3) * 4 + rnd.nextInt(3)] += (rnd.nextBoolean() ? 1 : -1) * (0.01 + rnd.nextDouble());
            assertTrue(new Matrix4(bent).rigidityProblem() != null, "perturbed rotation passed");
            double[] mirrored = pose.m();
            for (int r = 0; r < 3; r++) mirrored[r * 4] = -mirrored[r * 4];
            assertTrue(new Matrix4(mirrored).rigidityProblem().contains("reflection"));
        });
    }

    /** A random rotation (from a random unit quaternion) and translation within a room. */
    static Matrix4 randomRigid(java.util.SplittableRandom rnd) {
        double a = rnd.nextGaussian(), b = rnd.nextGaussian(), c = rnd.nextGaussian(), d = rnd.nextGaussian();
        double n = Math.sqrt(a * a + b * b + c * c + d * d);
        a /= n; b /= n; c /= n; d /= n;
        return new Matrix4(new double[] {
                a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c), rnd.nextDouble() * 10 - 5,
                2 * (b * c + a * d), a * a - b * b + c * c - d * d, 2 * (c * d - a * b), rnd.nextDouble() * 10 - 5,
                2 * (b * d - a * c), 2 * (c * d + a * b), a * a - b * b - c * c + d * d, rnd.nextDouble() * 3,
                0, 0, 0, 1});
    }
}
