package org.adatoken3d.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The harness itself: a replay that matches nothing fails, a replay runs exactly its case, a count is a count. */
class SeededCasesTest {
    @AfterEach
    void clearProperties() {
        System.clearProperty("adatoken3d.case");
        System.clearProperty("adatoken3d.cases");
    }

    @Test
    void runsTheGivenNumberOfDistinctCases() {
        List<Long> draws = new ArrayList<>();
        SeededCases.run("count", 7, r -> draws.add(r.nextLong()));
        assertEquals(7, draws.size());
        assertEquals(7, draws.stream().distinct().count());
    }

    @Test
    void aReplayedSeedRunsExactlyThatCase() {
        long seed = SeededCases.caseSeed(SeededCases.DEFAULT_BASE_SEED, 3);
        System.setProperty("adatoken3d.case", String.format("0x%x", seed));
        List<Long> draws = new ArrayList<>();
        SeededCases.run("replay", 10, r -> draws.add(r.nextLong()));
        assertEquals(List.of(new java.util.SplittableRandom(seed).nextLong()), draws);
    }

    @Test
    void aReplayedSeedThatMatchesNoCaseFails() {
        System.setProperty("adatoken3d.case", "0x1234");
        AssertionError e = assertThrows(AssertionError.class, () -> SeededCases.run("mistyped", 10, r -> {}));
        assertTrue(e.getMessage().contains("has no case with seed 0x1234"), e.getMessage());
        // Drawing fixtures is not a property: it draws nothing and says nothing.
        SeededCases.draw("fixtures", 10, r -> {
            throw new AssertionError("drew a case that is not the replayed one");
        });
    }

    @Test
    void casesPropertyIsAnAbsoluteCount() {
        System.setProperty("adatoken3d.cases", "3");
        int[] ran = {0};
        SeededCases.run("absolute", 100, r -> ran[0]++);
        assertEquals(3, ran[0]);
    }

    @Test
    void aFailureNamesItsSeed() {
        AssertionError e = assertThrows(AssertionError.class, () -> SeededCases.run("failing", 5, r -> {
            throw new IllegalStateException("boom");
        }));
        assertTrue(e.getMessage().contains(String.format("seed 0x%x", SeededCases.caseSeed(SeededCases.DEFAULT_BASE_SEED, 0))), e.getMessage());
    }

    /** Stands for a concrete test class whose properties an abstract class declares. */
    private static final class ConcreteKernelsTest {}

    @Test
    void aFailureInAnInheritedPropertyReplaysTheConcreteClass() {
        AssertionError e = assertThrows(AssertionError.class, () -> SeededCases.run(ConcreteKernelsTest.class, "inherited", 5, r -> {
            throw new IllegalStateException("boom");
        }));
        assertTrue(e.getMessage().contains("-Dtest='ConcreteKernelsTest#aFailureInAnInheritedPropertyReplaysTheConcreteClass'"), e.getMessage());
    }
}
