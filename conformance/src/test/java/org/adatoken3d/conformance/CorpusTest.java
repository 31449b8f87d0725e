package org.adatoken3d.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.conformance.CaseResult.Verdict;
import org.adatoken3d.kernels.RopeStyle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checked-in fixture corpus (conformance/fixtures): runs without PyTorch, on every build. */
class CorpusTest {
    static final Path CORPUS = OracleProcess.projectRoot().resolve("conformance/fixtures");

    @TempDir Path tmp;

    @Test
    void engineMatchesEveryCheckedInFixture() {
        List<Fixture> cases = Fixture.findAll(CORPUS);
        assertTrue(cases.size() >= 10, "the corpus should hold at least 10 cases, found " + cases.size());
        List<CaseResult> results = run(new EngineImplementation(), cases);
        WorstErrors.print(System.out, results, cases);
        List<CaseResult> failed = results.stream().filter(r -> r.verdict() == Verdict.FAIL || r.verdict() == Verdict.FIXTURE).toList();
        assertTrue(failed.isEmpty(), () -> "failed: " + failed);
    }

    @Test
    void aBrokenRopeConventionIsCaught() {
        List<Fixture> cases = Fixture.findAll(CORPUS);
        List<CaseResult> results = run(new EngineImplementation(RopeStyle.INTERLEAVED), cases);
        long failed = results.stream().filter(r -> r.verdict() == Verdict.FAIL).count();
        // Cases of one token are blind to RoPE (position 0 rotates nothing); all others must fail.
        assertTrue(failed >= cases.size() / 2, "the interleaved-RoPE engine failed only " + failed + " of " + cases.size() + " cases");
    }

    private List<CaseResult> run(Implementation impl, List<Fixture> cases) {
        FixtureChecker checker = new FixtureChecker(impl);
        List<CaseResult> results = new ArrayList<>();
        for (Fixture f : cases) {
            CaseResult r = checker.check(f, tmp);
            results.add(r);
            ConformanceReport.printCase(System.out, r);
        }
        System.out.println(ConformanceReport.summary(results));
        return results;
    }
}
