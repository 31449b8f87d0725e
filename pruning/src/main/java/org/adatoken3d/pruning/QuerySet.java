package org.adatoken3d.pruning;

import org.adatoken3d.kernels.EngineArgumentException;
/** Which query rows Q the contribution a_i is averaged over (DESIGN.md §2.1). */
public enum QuerySet {
    /** The last prompt token only: the row that produces the first generated token (the default). */
    LAST,
    /** Every instruction token after the spatial block, up to and including the last prompt token. */
    INSTRUCTION;

    /** The spelling used on the command line and in profiles: {@code last} or {@code instruction}. */
    public String spec() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses {@link #spec()}; the message lists the accepted words. */
    public static QuerySet parse(String text) {
        for (QuerySet q : values()) if (q.spec().equals(text)) return q;
        throw new EngineArgumentException("query", "'" + text + "' is not one of: last, instruction");
    }
}
