package org.adatoken3d.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GemmWisdomTest {
    @Test
    void entriesRoundTripPerMachineAndKeepTheOthers(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub").resolve("wisdom.properties");
        assertEquals(Optional.empty(), GemmWisdom.read(file, "AMD EPYC 256-bit"), "no file yet");
        GemmWisdom.requireWritable(file);
        Files.writeString(file, GemmWisdom.updated(file, "AMD EPYC 256-bit", new GemmPlan(6, 1024, 16)));
        Files.writeString(file, GemmWisdom.updated(file, "Intel Xeon 512-bit", new GemmPlan(8, 256, 32)));
        Files.writeString(file, GemmWisdom.updated(file, "AMD EPYC 256-bit", new GemmPlan(4, 512, 8)));
        assertEquals(Optional.of(new GemmPlan(4, 512, 8)), GemmWisdom.read(file, "AMD EPYC 256-bit"));
        assertEquals(Optional.of(new GemmPlan(8, 256, 32)), GemmWisdom.read(file, "Intel Xeon 512-bit"));
        assertEquals(Optional.empty(), GemmWisdom.read(file, "Apple M2 128-bit"));
    }

    @Test
    void aBadEntryOrFileFallsBackToTheDerivedPlan(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("wisdom.properties");
        Files.writeString(file, "A=mr=5,kc=256,panels=4\nB=mr=6,kc=256\nC=nonsense\nD=mr=6,kc=64,panels=2\n");
        for (String key : List.of("A", "B", "C")) assertEquals(Optional.empty(), GemmWisdom.read(file, key), key);
        assertEquals(Optional.of(new GemmPlan(6, 64, 2)), GemmWisdom.read(file, "D"));
        Files.writeString(file, "A=\\u12");
        assertEquals(Optional.empty(), GemmWisdom.read(file, "A"), "malformed \\u escape");
        Path folder = dir.resolve("folder");
        Files.createDirectory(folder);
        assertEquals(Optional.empty(), GemmWisdom.read(folder, "A"), "a folder is not a wisdom file");
    }

    @Test
    void parseDemandsAllThreeFields() {
        assertEquals(new GemmPlan(6, 512, 16), GemmWisdom.parse("mr=6,kc=512,panels=16"));
        var e = assertThrows(IllegalArgumentException.class, () -> GemmWisdom.parse("mr=6,panels=16"));
        assertTrue(e.getMessage().contains("kc="), e.getMessage());
        assertEquals("mr=6,kc=512,panels=16", GemmWisdom.format(GemmWisdom.parse("panels=16, kc=512, mr=6")));
    }

    @Test
    void tuningTimesTheDerivedPlanAndPicksTheFastest() {
        GemmTuning.Result r = GemmTuning.measure(13, 48, 72, msg -> {});
        GemmPlan derived = GemmPlan.forMachine(Simd.REGISTERS, CpuCaches.MACHINE);
        assertEquals(1, r.timings().stream().filter(GemmTuning.Timing::derived).count(), r.timings().toString());
        assertEquals(GemmWisdom.format(derived), r.timings().stream().filter(GemmTuning.Timing::derived).findFirst().orElseThrow().plan());
        for (GemmTuning.Timing t : r.timings()) {
            assertTrue(t.gflops() > 0, t.toString());
            assertTrue(t.gflops() <= r.best().gflops(), t + " beats the chosen " + r.best());
            GemmPlan p = GemmWisdom.parse(t.plan());
            assertTrue(p.mr() <= derived.mr(), "a tile taller than the registers allow: " + t);
        }
        assertEquals(GemmWisdom.machineKey(), r.machine());
    }
}
