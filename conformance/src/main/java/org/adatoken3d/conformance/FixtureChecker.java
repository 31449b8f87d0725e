package org.adatoken3d.conformance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.adatoken3d.conformance.CaseResult.TensorError;
import org.adatoken3d.conformance.CaseResult.Verdict;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.SafetensorsFile;
import org.adatoken3d.weights.Tensor;

/** Runs an implementation on a fixture and compares its outputs with the oracle's, as FORMAT.md prescribes. */
public final class FixtureChecker {
    private static final List<String> FLOAT_OUTPUTS = List.of("logits", "hidden_states", "contribution", "spatial_share");

    private final Implementation implementation;

    public FixtureChecker(Implementation implementation) {
        this.implementation = implementation;
    }

    /** Reads and checks the case in {@code caseDir}; a case.json that cannot be read is reported as a damaged fixture. */
    public CaseResult check(Path caseDir, Path workDir) {
        Fixture fixture;
        try {
            fixture = Fixture.read(caseDir);
        } catch (InvalidFileException e) {
            return CaseResult.fixtureError(caseDir.getFileName() == null ? caseDir.toString() : caseDir.getFileName().toString(), e.getMessage());
        }
        return check(fixture, workDir);
    }

    public CaseResult check(Fixture fixture, Path workDir) {
        // The fixture first: a damaged expectation says nothing about the implementation.
        String damage = damage(fixture);
        if (damage != null) return CaseResult.fixtureError(fixture.name(), damage);
        Path output = workDir.resolve(fixture.name() + "-actual.safetensors");
        try {
            Files.createDirectories(workDir);
            implementation.forward(fixture.model(), fixture.inputs(), output);
        } catch (CommandImplementation.TimedOut e) {
            return new CaseResult(fixture.name(), Verdict.FAIL, List.of(), e.getMessage(), fixture.replay());
        } catch (Exception e) {
            return new CaseResult(fixture.name(), Verdict.FAIL, List.of(), "implementation failed: " + e.getMessage(), fixture.replay());
        }
        try (SafetensorsFile expected = SafetensorsFile.open(fixture.expected()); SafetensorsFile actual = SafetensorsFile.open(output)) {
            return compare(fixture, expected, actual);
        } catch (RuntimeException e) {
            return new CaseResult(fixture.name(), Verdict.FAIL, List.of(), "unreadable output: " + e.getMessage(), fixture.replay());
        } finally {
            try {
                Files.deleteIfExists(output);
            } catch (java.io.IOException ignored) {
                // a leftover scratch file is harmless
            }
        }
    }

    /** What is wrong with the fixture's own files (its inputs and expectations), or null. */
    static String damage(Fixture fixture) {
        try (SafetensorsFile inputs = SafetensorsFile.open(fixture.inputs())) {
            if (inputs.find("input_ids").isEmpty()) return fixture.inputs() + ": has no input_ids";
        } catch (RuntimeException e) {
            return e.getMessage();
        }
        try (SafetensorsFile expected = SafetensorsFile.open(fixture.expected())) {
            String p = OutputLayout.problem(expected);
            if (p == null) p = OutputLayout.nonFinite(expected);
            if (p == null) p = disagreementWithCaseJson(fixture, expected);
            return p == null ? null : fixture.expected() + ": " + p;
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    /** case.json's {@code outputs} name every expected tensor with its dtype and shape; a file that differs was replaced or cut. */
    private static String disagreementWithCaseJson(Fixture fixture, SafetensorsFile expected) {
        if (fixture.outputs().isEmpty()) return null;
        for (Tensor t : expected.tensors()) {
            String described = t.dtype() + " " + t.shapeString();
            String listed = fixture.outputs().get(t.name());
            if (!described.equals(listed)) {
                return "'" + t.name() + "' is " + described + ", case.json says " + (listed == null ? "nothing of it" : listed);
            }
        }
        if (fixture.outputs().size() != expected.tensors().size()) return "lacks tensors that case.json lists " + fixture.outputs().keySet();
        return null;
    }

    static CaseResult compare(Fixture fixture, SafetensorsFile expected, SafetensorsFile actual) {
        List<TensorError> errors = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        String layout = OutputLayout.differences(expected, actual);
        if (layout != null) return fail(fixture, errors, layout);

        // Discrete decisions first: if the keep-set differs at a near-tie, rows no longer line up and the
        // float comparisons after it say nothing.
        Optional<Tensor> kept = expected.find("kept");
        if (kept.isPresent()) {
            long[] want = longs(kept.get());
            long[] got = actual.find("kept").map(FixtureChecker::longs).orElse(null);
            if (got == null) return fail(fixture, errors, "output has no 'kept'");
            if (!Arrays.equals(want, got)) {
                double margin = scalar(expected, "gate_margin");
                if (margin < fixture.tieThresholds().get("gate_margin")) {
                    return new CaseResult(fixture.name(), Verdict.TIE, errors, String.format(
                            "keep-set differs at a near-tie (oracle gate margin %.3g): kept %d vs oracle %d", margin, got.length, want.length),
                            fixture.replay());
                }
                return fail(fixture, errors, String.format("keep-set differs (oracle gate margin %.3g): kept %s vs oracle %s", margin,
                        abbreviate(got), abbreviate(want)));
            }
        }
        long[] wantPositions = longs(expected.tensor("positions"));
        Optional<Tensor> gotPositions = actual.find("positions");
        if (gotPositions.isEmpty() || !Arrays.equals(wantPositions, longs(gotPositions.get()))) {
            return fail(fixture, errors, "positions of the surviving rows differ");
        }

        for (String name : FLOAT_OUTPUTS) {
            Optional<Tensor> want = expected.find(name);
            if (want.isEmpty()) continue;
            Optional<Tensor> got = actual.find(name);
            if (got.isEmpty()) {
                problems.add("output has no '" + name + "'");
                continue;
            }
            if (!Arrays.equals(want.get().shape(), got.get().shape())) {
                problems.add(name + " has shape " + got.get().shapeString() + ", oracle " + want.get().shapeString());
                continue;
            }
            Tolerance tol = fixture.tolerances().get(name);
            TensorError e = measure(name, want.get(), got.get(), tol);
            errors.add(e);
            if (!e.withinTolerance()) {
                problems.add(String.format("%s outside tolerance (max abs %.3g, max rel %.3g; atol %.1g rtol %.1g)", name, e.maxAbs(),
                        e.maxRel(), tol.atol(), tol.rtol()));
            }
        }

        Optional<Tensor> greedy = expected.find("greedy_ids");
        if (greedy.isPresent()) {
            long[] want = longs(greedy.get());
            long[] got = actual.find("greedy_ids").map(FixtureChecker::longs).orElse(new long[0]);
            int t = firstDifference(want, got);
            if (t >= 0) {
                float margin = t < want.length ? expected.tensor("greedy_margin").getFloat(t) : Float.POSITIVE_INFINITY;
                if (problems.isEmpty() && margin < fixture.tieThresholds().get("greedy_margin")) {
                    return new CaseResult(fixture.name(), Verdict.TIE, errors,
                            String.format("greedy token %d differs at a near-tie (oracle top-2 margin %.3g)", t, margin), fixture.replay());
                }
                problems.add(String.format("greedy ids differ at step %d (oracle margin %.3g): %s vs oracle %s", t, margin,
                        abbreviate(got), abbreviate(want)));
            }
        }
        return problems.isEmpty()
                ? new CaseResult(fixture.name(), Verdict.PASS, errors, "", fixture.replay())
                : fail(fixture, errors, String.join("; ", problems));
    }

    private static CaseResult fail(Fixture f, List<TensorError> errors, String message) {
        return new CaseResult(f.name(), Verdict.FAIL, errors, message, f.replay());
    }

    static TensorError measure(String name, Tensor want, Tensor got, Tolerance tol) {
        double maxAbs = 0;
        double maxRel = 0;
        boolean ok = true;
        long n = want.elementCount();
        for (long i = 0; i < n; i++) {
            double e = want.getFloat(i);
            double a = got.getFloat(i);
            double abs = Math.abs(a - e);
            if (Double.isNaN(abs)) abs = Double.POSITIVE_INFINITY;
            maxAbs = Math.max(maxAbs, abs);
            maxRel = Math.max(maxRel, abs / Math.max(Math.abs(e), 1e-6));
            ok &= abs <= tol.atol() + tol.rtol() * Math.abs(e);
        }
        return new TensorError(name, maxAbs, maxRel, ok);
    }

    private static int firstDifference(long[] a, long[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) if (a[i] != b[i]) return i;
        return a.length == b.length ? -1 : n;
    }

    private static double scalar(SafetensorsFile f, String name) {
        return f.find(name).map(t -> (double) t.getFloat(0)).orElse(Double.POSITIVE_INFINITY);
    }

    static long[] longs(Tensor t) {
        long[] out = new long[Math.toIntExact(t.elementCount())];
        for (int i = 0; i < out.length; i++) out[i] = t.getLong(i);
        return out;
    }

    private static String abbreviate(long[] a) {
        String s = Arrays.toString(a);
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
