package org.adatoken3d.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.adatoken3d.pruning.GatePolicy.AdaptiveGate;
import org.adatoken3d.pruning.GatePolicy.FastV;
import org.adatoken3d.pruning.GatePolicy.KeepRatio;
import org.adatoken3d.pruning.GatePolicy.NoPruning;
import org.adatoken3d.pruning.GatePolicy.RandomGate;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PruneSpecTest {

    @Test
    void parsesEveryForm() {
        assertEquals(new NoPruning(), PruneSpec.parse("none").policy());
        assertEquals(new FastV(), PruneSpec.parse(" FastV ").policy());
        assertEquals(new AdaptiveGate(2, 0.05, 1, AdaptiveGate.UNBOUNDED, QuerySet.LAST), PruneSpec.parse("tau=0.05").policy());
        assertEquals(new AdaptiveGate(3, 0.1, 16, 512, QuerySet.INSTRUCTION),
                PruneSpec.parse("tau=0.1, layer=3, min=16, max=512, query=instruction").policy());
        assertEquals(new KeepRatio(2, 0.3), PruneSpec.parse("keep=0.3").policy());
        assertEquals(new KeepRatio(5, 0.25, QuerySet.INSTRUCTION), PruneSpec.parse("keep=.25,layer=5,query=instruction").policy());
        assertEquals(new RandomGate(0, AdaptiveGate.defaults()), PruneSpec.parse("random").policy());
        assertEquals(new RandomGate(7, new AdaptiveGate(4, 0.2, 1, 100)), PruneSpec.parse("random,tau=0.2,layer=4,max=100,seed=7").policy());
        assertEquals(new RandomGate(-3, new KeepRatio(2, 0.3)), PruneSpec.parse("random,keep=0.3,seed=-3").policy());
        assertEquals(new AdaptiveGate(2, 1e-3), PruneSpec.parse("tau=1e-3").policy());
        assertTrue(PruneSpec.parse("auto").isAuto());
        assertFalse(PruneSpec.parse("none").isAuto());
        assertThrows(IllegalStateException.class, () -> PruneSpec.parse("auto").policy());
    }

    @Test
    void formatThenParseGivesTheSamePolicy() {
        SeededCases.run("formatThenParseGivesTheSamePolicy", 300, r -> {
            QuerySet q = r.nextBoolean() ? QuerySet.LAST : QuerySet.INSTRUCTION;
            int layer = SeededCases.between(r, 1, 40);
            int min = r.nextInt(50);
            int max = r.nextBoolean() ? AdaptiveGate.UNBOUNDED : SeededCases.between(r, Math.max(1, min), 3000);
            AdaptiveGate adaptive = new AdaptiveGate(layer, r.nextDouble() * 0.999, min, max, q);
            KeepRatio ratio = new KeepRatio(layer, Math.max(1e-6, r.nextDouble()), q);
            List<GatePolicy> all = List.of(new NoPruning(), new FastV(), adaptive, ratio,
                    new RandomGate(r.nextLong(), adaptive), new RandomGate(r.nextLong(), ratio));
            for (GatePolicy p : all) {
                String text = PruneSpec.format(p);
                assertEquals(p, PruneSpec.parse(text).policy(), text);
            }
        });
    }

    @Test
    void badSpecsNameTheProblemAndListTheForms() {
        String[][] cases = {
            {"", "empty"},
            {"prune", "'prune' is not a pruning policy"},
            {"tau=", "tau must be a decimal number"},
            {"tau=abc", "tau must be a decimal number"},
            {"tau=NaN", "tau must be a decimal number"},
            {"tau=0x1p-3", "tau must be a decimal number"},
            {"tau=-0.1", "tau must be a decimal number"},
            {"tau=1", "tau must be in [0, 1)"},
            {"keep=0", "keep must be a ratio in (0, 1]"},
            {"keep=1.5", "keep must be a ratio in (0, 1]"},
            {"tau=0.05,layer=0", "layer K must be >= 1"},
            {"tau=0.05,layer=two", "layer must be an integer"},
            {"tau=0.05,layer=99999999999", "layer must be an integer"},
            {"tau=0.05,min=5,max=2", "min 5 exceeds max 2"},
            {"tau=0.05,max=0", "max must be >= 1"},
            {"tau=0.05,foo=1", "'foo' does not apply to 'tau=0.05'"},
            {"keep=0.3,min=2", "'min' does not apply to 'keep=0.3'"},
            {"none,layer=2", "'none' takes no options"},
            {"fastv,layer=3", "'fastv' takes no options"},
            {"auto,tau=0.1", "'auto' takes no options"},
            {"tau=0.05,layer=2,layer=3", "layer is given twice"},
            {"tau=0.05,layer", "'layer' is not key=value"},
            {"random,keep=0.3,tau=0.1", "either keep=R or tau=T"},
            {"random,seed=abc", "seed must be an integer"},
            {"tau=0.05,query=middle", "query 'middle' is not one of: last, instruction"},
            {"none=1", "'none' takes no value"},
        };
        for (String[] c : cases) {
            var e = assertThrows(IllegalArgumentException.class, () -> PruneSpec.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
            assertTrue(e.getMessage().contains("accepted forms: none | fastv | auto | tau=T | keep=R | random"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> PruneSpec.parse(null));
    }

    @Test
    void autoResolvesFromTheModelFolderOrANamedProfile(@TempDir Path dir) throws Exception {
        var e = assertThrows(IllegalArgumentException.class, () -> PruneSpec.parse("auto").resolve(dir, null, 8));
        assertTrue(e.getMessage().contains("calibrate") && e.getMessage().contains(PruneSpec.PROFILE_FILE_NAME), e.getMessage());
        PruningProfile profile = PruningProfileTest.sample(8, 3, 0.07);
        profile.save(dir.resolve(PruneSpec.PROFILE_FILE_NAME));
        assertEquals(profile.policy(), PruneSpec.parse("auto").resolve(dir, null, 8));
        Path elsewhere = dir.resolve("other.json");
        PruningProfileTest.sample(8, 5, 0.2).save(elsewhere);
        assertEquals(new AdaptiveGate(5, 0.2), PruneSpec.parse("auto").resolve(dir, elsewhere, 8));
        var wrongModel = assertThrows(IllegalArgumentException.class, () -> PruneSpec.parse("auto").resolve(dir, null, 32));
        assertTrue(wrongModel.getMessage().contains("8-layer"), wrongModel.getMessage());
        assertEquals(new KeepRatio(2, 0.3), PruneSpec.parse("keep=0.3").resolve(dir, null, 8));
        assertThrows(IllegalArgumentException.class, () -> PruneSpec.parse("tau=0.05,layer=8").resolve(dir, null, 8));
    }
}
