package org.adatoken3d.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import jdk.jfr.Recording;
import org.adatoken3d.kernels.Gemm;
import org.adatoken3d.kernels.WeightFormat;
import org.adatoken3d.kernels.WeightMatrix;
import org.adatoken3d.weights.InvalidFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real recording of a known workload: the samples must land on the kernel that did the work. */
class HotspotsTest {
    @TempDir Path dir;

    @Test
    void aGemmRunIsChargedToThePackedGemm() throws Exception {
        int n = 512, k = 512, m = 64;
        MemorySegment w = Arena.ofAuto().allocate((long) n * k * 4, 64);
        for (long i = 0; i < (long) n * k; i++) w.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 7) * 0.25f);
        WeightMatrix matrix = WeightMatrix.of(w, WeightFormat.F32, n, k);
        float[] a = new float[m * k], c = new float[m * n];
        java.util.Arrays.fill(a, 0.5f);
        Path file = dir.resolve("gemm.jfr");
        try (Recording r = new Recording()) {
            r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
            r.enable("jdk.ActiveSetting"); // as the default and profile settings do: it carries the sampling period
            r.start();
            long end = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < end) Gemm.multiply(a, m, matrix, c);
            r.stop();
            r.dump(file);
        }
        Hotspots h = Hotspots.read(file);
        assertTrue(h.samples() >= 20, "samples: " + h.samples());
        Hotspots.Share top = h.classes().getFirst();
        assertEquals("kernels.PackedGemm", top.name(), h.classes().toString());
        assertTrue(h.share(top) > 0.5, h.classes().toString());
        assertTrue(h.methods().getFirst().name().startsWith("kernels.PackedGemm.kernel"), h.methods().toString());
        assertEquals(Duration.ofMillis(10), h.period());
        // The thread that ran the loop spent the two seconds computing, bar the pool's hand-offs.
        double busiest = h.threads().stream().mapToDouble(h::busy).max().orElse(0);
        assertTrue(busiest > 0.4 && busiest <= 1.0, h.threads() + " over " + h.span());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        h.print(new PrintStream(out, true, StandardCharsets.UTF_8), 3);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("by method (top 3 of " + h.methods().size() + ")") && text.contains("kernels.PackedGemm"), text);
        assertTrue(text.contains("by thread (running Java: samples x the 10 ms period"), text);
    }

    @Test
    void aFileThatIsNotARecordingIsNamed() throws Exception {
        Path junk = Files.write(dir.resolve("junk.jfr"), new byte[] {'F', 'L', 'R', 0, 1, 2, 3});
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> Hotspots.read(junk));
        assertTrue(e.getMessage().startsWith(junk + ": not a readable Java Flight Recorder file"), e.getMessage());
        InvalidFileException missing = assertThrows(InvalidFileException.class, () -> Hotspots.read(dir.resolve("absent.jfr")));
        assertTrue(missing.getMessage().contains("absent.jfr: no such file"), missing.getMessage());
        InvalidFileException folder = assertThrows(InvalidFileException.class, () -> Hotspots.read(dir));
        assertTrue(folder.getMessage().endsWith(dir + ": is a folder, not a .jfr recording"), folder.getMessage());
    }

    @Test
    void aRecordingWithoutSamplesSaysHowToRecord() throws Exception {
        Path file = dir.resolve("empty.jfr");
        try (Recording r = new Recording()) {
            r.enable("jdk.CPUInformation");
            r.start();
            r.stop();
            r.dump(file);
        }
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> Hotspots.read(file));
        assertTrue(e.getMessage().contains("has no execution samples: record with -XX:StartFlightRecording"), e.getMessage());
    }

    @Test
    void periodsAreReadAsJfrWritesThem() {
        assertEquals(Duration.ofMillis(20), Hotspots.parsePeriod("20 ms"));
        assertEquals(Duration.ofSeconds(1), Hotspots.parsePeriod("1 s"));
        assertEquals(Duration.ofNanos(500_000), Hotspots.parsePeriod("500 us"));
        assertEquals(null, Hotspots.parsePeriod("everyChunk"));
        assertEquals(null, Hotspots.parsePeriod("10 parsecs"));
        assertEquals(null, Hotspots.parsePeriod(null));
    }
}
