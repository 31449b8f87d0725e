package org.adatoken3d.conformance;

import java.io.PrintStream;
import java.util.List;
import org.adatoken3d.conformance.CaseResult.Verdict;

/** Prints per-case lines and the summary line of a conformance run. */
public final class ConformanceReport {
    private ConformanceReport() {}

    public static void printCase(PrintStream out, CaseResult r) {
        double logits = r.maxAbs("logits");
        double hidden = r.maxAbs("hidden_states");
        out.printf("%-7s %-12s logits %-9s hidden %-9s %s%n", r.verdict(), r.name(), fmt(logits), fmt(hidden), r.message());
        if (r.verdict() == Verdict.FAIL && !r.replay().isEmpty()) out.println("      replay: " + r.replay());
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.2e", v);
    }

    /** One line in the plain "N passed, N failed" form, ties counted apart. */
    public static String summary(List<CaseResult> results) {
        long pass = results.stream().filter(r -> r.verdict() == Verdict.PASS).count();
        long fail = results.stream().filter(r -> r.verdict() == Verdict.FAIL).count();
        long tie = results.stream().filter(r -> r.verdict() == Verdict.TIE).count();
        long fixture = results.stream().filter(r -> r.verdict() == Verdict.FIXTURE).count();
        return String.format("conformance: %d passed, %d failed, %d near-ties (reported, not counted as passes)", pass, fail, tie)
                + (fixture == 0 ? "" : String.format(", %d damaged fixtures (not judged)", fixture));
    }
}
