package org.adatoken3d.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.conformance.CaseResult.Verdict;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live property cases: the PyTorch oracle draws random configs, weights and requests from seeds, and the
 * engine must agree on every one. The base seed is fixed (repeatable CI) unless -Dadatoken3d.seed sets it;
 * -Dadatoken3d.live.cases sets the count.
 */
class LiveOracleTest {
    /**
     * A near-tie is a discrete decision (keep-set, greedy token) that differs where the oracle's own margin is below
     * the fixture's threshold: f32 against float64 can flip such a decision, so one is no failure. But it takes a
     * tiny margin and a flip together, which random cases seldom give (none in 200 so far); an engine whose
     * near-ties grow past 1% of the cases has drifted, and that must fail.
     */
    static final double MAX_NEAR_TIE_SHARE = 0.01;

    @TempDir Path tmp;

    @Test
    void engineAgreesWithPyTorchOnRandomCases() throws Exception {
        String missing = OracleProcess.unavailableReason();
        if (missing != null) {
            if (System.getenv("CI") != null) fail("CI must run the live PyTorch cases, but " + missing);
            System.err.println("LIVE PYTORCH CASES DID NOT RUN: " + missing + " (./run-tests installs python3-torch when run as root)");
            Assumptions.abort("live PyTorch cases did not run: " + missing);
        }
        long seed = SeededCases.parseSeed(System.getProperty("adatoken3d.seed", Long.toString(SeededCases.DEFAULT_BASE_SEED))) & 0x7fffffffL;
        int count = Integer.getInteger("adatoken3d.live.cases", 200);
        Path fixtures = tmp.resolve("live");
        OracleProcess.generate(seed, count, fixtures, List.of());
        List<Fixture> cases = Fixture.findAll(fixtures);
        assertEquals(count, cases.size(), "fixtures generated");

        FixtureChecker checker = new FixtureChecker(new EngineImplementation());
        List<CaseResult> results = new ArrayList<>();
        for (Fixture f : cases) {
            CaseResult r = checker.check(f, tmp.resolve("work"));
            results.add(r);
            if (r.verdict() != Verdict.PASS) ConformanceReport.printCase(System.out, r);
        }
        System.out.println(ConformanceReport.summary(results));
        WorstErrors.print(System.out, results, cases);
        List<String> failures = results.stream().filter(r -> r.verdict() == Verdict.FAIL || r.verdict() == Verdict.FIXTURE)
                .map(r -> r.name() + ": " + r.message() + "\n    replay: " + r.replay() + " && ./adatoken3d conformance check --fixtures DIR")
                .toList();
        assertTrue(failures.isEmpty(), failures.size() + " of " + count + " live cases failed (base seed " + seed + "):\n" + String.join("\n", failures));
        long ties = results.stream().filter(r -> r.verdict() == Verdict.TIE).count();
        assertTrue(ties <= Math.floor(MAX_NEAR_TIE_SHARE * count), ties + " of " + count + " live cases are near-ties, more than "
                + (int) (100 * MAX_NEAR_TIE_SHARE) + "% (base seed " + seed + ")");
    }
}
