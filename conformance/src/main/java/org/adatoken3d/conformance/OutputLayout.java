package org.adatoken3d.conformance;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.SafetensorsFile;
import org.adatoken3d.weights.Tensor;

/**
 * The tensors of a {@code forward} output and their dtypes and ranks (conformance/FORMAT.md §5.2), checked on the
 * oracle's expected file (where a deviation means a damaged fixture) and on an implementation's output (where it is
 * a failure, §7: "a missing or extra tensor is a failure").
 */
final class OutputLayout {
    private record Entry(DType dtype, int rank) {}

    private static final Map<String, Entry> TENSORS = new LinkedHashMap<>();

    static {
        TENSORS.put("logits", new Entry(DType.F32, 2));
        TENSORS.put("hidden_states", new Entry(DType.F32, 2));
        TENSORS.put("positions", new Entry(DType.I64, 1));
        TENSORS.put("contribution", new Entry(DType.F32, 2));
        TENSORS.put("spatial_share", new Entry(DType.F32, 1));
        TENSORS.put("kept", new Entry(DType.I64, 1));
        TENSORS.put("gate_margin", new Entry(DType.F32, 1));
        TENSORS.put("greedy_ids", new Entry(DType.I64, 1));
        TENSORS.put("greedy_margin", new Entry(DType.F32, 1));
    }

    private OutputLayout() {}

    /** The first way {@code f} departs from §5.2's table, or null when it follows it. */
    static String problem(SafetensorsFile f) {
        for (Tensor t : f.tensors()) {
            Entry e = TENSORS.get(t.name());
            if (e == null) return "holds tensor '" + t.name() + "', which FORMAT.md §5.2 does not list";
            if (t.dtype() != e.dtype() || t.rank() != e.rank()) {
                return "'" + t.name() + "' is " + t.dtype() + " " + t.shapeString() + "; FORMAT.md §5.2 says " + e.dtype() + " of rank " + e.rank();
            }
        }
        for (String required : new String[] {"logits", "hidden_states", "positions"}) {
            if (f.find(required).isEmpty()) return "has no '" + required + "'";
        }
        if (f.find("kept").isPresent() != f.find("gate_margin").isPresent()) return "has one of 'kept' and 'gate_margin' without the other";
        if (f.find("gate_margin").isPresent() && f.tensor("gate_margin").elementCount() != 1) return "'gate_margin' is not one value";
        if (f.find("greedy_ids").isPresent() != f.find("greedy_margin").isPresent()) return "has one of 'greedy_ids' and 'greedy_margin' without the other";
        if (f.find("greedy_ids").isPresent() && f.tensor("greedy_ids").elementCount() != f.tensor("greedy_margin").elementCount()) {
            return "'greedy_ids' and 'greedy_margin' differ in length";
        }
        return null;
    }

    /** An implementation's output against the oracle's: the same tensors, each as §5.2 types it; null when they agree. */
    static String differences(SafetensorsFile expected, SafetensorsFile actual) {
        Set<String> want = names(expected);
        Set<String> got = names(actual);
        Set<String> missing = new TreeSet<>(want);
        missing.removeAll(got);
        Set<String> extra = new TreeSet<>(got);
        extra.removeAll(want);
        if (!missing.isEmpty()) return "output lacks " + missing;
        if (!extra.isEmpty()) return "output has extra tensors " + extra;
        String p = problem(actual);
        return p == null ? null : "output " + p;
    }

    /** Non-finite expectations; the margins may be +∞ (§6.3, §6.4), never NaN. Null when every value is usable. */
    static String nonFinite(SafetensorsFile expected) {
        for (Tensor t : expected.tensors()) {
            if (!t.dtype().isFloatingPoint()) continue;
            boolean margin = t.name().endsWith("_margin");
            for (long i = 0; i < t.elementCount(); i++) {
                float v = t.getFloat(i);
                if (Float.isNaN(v) || (!margin && Float.isInfinite(v)) || v == Float.NEGATIVE_INFINITY) {
                    return "'" + t.name() + "' holds " + v + " at index " + i;
                }
            }
        }
        return null;
    }

    private static Set<String> names(SafetensorsFile f) {
        Set<String> s = new TreeSet<>();
        for (Tensor t : f.tensors()) s.add(t.name());
        return s;
    }
}
