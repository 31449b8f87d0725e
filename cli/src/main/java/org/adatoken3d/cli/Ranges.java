package org.adatoken3d.cli;

import java.math.BigInteger;
import org.adatoken3d.model.decoder.ChunkedPrefill;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The ranges of the numeric options, checked while picocli parses the command line: a value out of range is refused
 * before anything runs, as one line naming the option ({@link Main} words it), and the engine never meets it.
 * Each option names its range with {@code converter = Ranges.X.class}; defaults pass through the same check.
 */
final class Ranges {
    private Ranges() {}

    /** Most tokens one prompt or answer may ask for: past any context this engine runs (LLaVA-3D: 4,096). */
    static final int MOST_TOKENS = 1 << 20;
    /** Most pixels on a side of a synthetic frame (ScanNet's colour frames are 1296 x 968). */
    static final int MOST_PIXELS = 4096;

    /** Worker threads: 1 to four per core; more only queue on the same cores, and each costs a native stack. */
    static int mostThreads() {
        return 4 * Runtime.getRuntime().availableProcessors();
    }

    /** A whole number of any size, so that one too large for an int is told its range, not that it is no number. */
    static BigInteger wholeNumber(String s) {
        try {
            return new BigInteger(s.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("must be a whole number, got '" + s + "'");
        }
    }

    static double number(String s) {
        try {
            // Double.parseDouble reads "NaN", "Infinity" and hex floats; a range check below refuses the first two.
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("must be a number, got '" + s + "'");
        }
    }

    static int between(String s, int least, int most) {
        BigInteger v = wholeNumber(s);
        if (v.compareTo(BigInteger.valueOf(least)) < 0) throw new TypeConversionException("must be at least " + least + ", got " + v);
        if (v.compareTo(BigInteger.valueOf(most)) > 0) throw new TypeConversionException("must be at most " + most + ", got " + v);
        return v.intValueExact();
    }

    static double finite(String s) {
        double v = number(s);
        if (!Double.isFinite(v)) throw new TypeConversionException("must be a finite number, got " + s.strip());
        return v;
    }

    /** A whole number in [least, most]; each option's range is a subclass named for what it counts. */
    abstract static class WholeRange implements ITypeConverter<Integer> {
        private final int least;
        private final int most;

        WholeRange(int least, int most) {
            this.least = least;
            this.most = most;
        }

        @Override
        public Integer convert(String s) {
            return between(s, least, most);
        }
    }

    /** A count of things: 1 or more. */
    static final class Count extends WholeRange {
        Count() {
            super(1, Integer.MAX_VALUE);
        }
    }

    /** 0 (off) or more. */
    static final class NonNegative extends WholeRange {
        NonNegative() {
            super(0, Integer.MAX_VALUE);
        }
    }

    /** A number of tokens: 1 to {@link #MOST_TOKENS}. */
    static final class Tokens extends WholeRange {
        Tokens() {
            super(1, MOST_TOKENS);
        }
    }

    /** Decoded tokens of a speed measurement: the first comes with the prefill, so at least two. */
    static final class DecodedTokens extends WholeRange {
        DecodedTokens() {
            super(2, MOST_TOKENS);
        }
    }

    static final class Threads implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String s) {
            BigInteger v = wholeNumber(s);
            if (v.signum() < 1) throw new TypeConversionException("must be at least 1, got " + v);
            if (v.compareTo(BigInteger.valueOf(mostThreads())) > 0) {
                throw new TypeConversionException("must be at most " + mostThreads() + " (4 per core on this machine's "
                        + Runtime.getRuntime().availableProcessors() + " cores), got " + v);
            }
            return v.intValueExact();
        }
    }

    /** Concurrent clients of a load test: 1 to 64. */
    static final class Clients extends WholeRange {
        Clients() {
            super(1, 64);
        }
    }

    /** Requests per client and phase of a load test: 1 to 1000. */
    static final class Requests extends WholeRange {
        Requests() {
            super(1, 1000);
        }
    }

    /** Prompt rows prefilled between two decoding steps: never fewer than the chunked prefill's least. */
    static final class PrefillChunk extends WholeRange {
        PrefillChunk() {
            super(ChunkedPrefill.MIN_CHUNK_ROWS, MOST_TOKENS);
        }
    }

    /** A side of a synthetic frame, in pixels. */
    static final class Pixels extends WholeRange {
        Pixels() {
            super(8, MOST_PIXELS);
        }
    }

    /** A finite number above 0: a scale, a penalty, a memory size. */
    static final class Positive implements ITypeConverter<Double> {
        @Override
        public Double convert(String s) {
            double v = finite(s);
            if (v <= 0) throw new TypeConversionException("must be above 0, got " + s.strip());
            return v;
        }
    }

    /** A finite number, 0 or above (a temperature). */
    static final class NonNegativeNumber implements ITypeConverter<Double> {
        @Override
        public Double convert(String s) {
            double v = finite(s);
            if (v < 0) throw new TypeConversionException("must be 0 or above, got " + s.strip());
            return v;
        }
    }

    /** A share: above 0, at most 1. */
    static final class Share implements ITypeConverter<Double> {
        @Override
        public Double convert(String s) {
            double v = finite(s);
            if (v <= 0 || v > 1) throw new TypeConversionException("must be above 0 and at most 1, got " + s.strip());
            return v;
        }
    }

    /** A TCP port; 0 asks the system for a free one. */
    static final class Port extends WholeRange {
        Port() {
            super(0, 65535);
        }
    }

    /** A time limit in whole seconds: 1 s to a day. */
    static final class Seconds extends WholeRange {
        Seconds() {
            super(1, 86_400);
        }
    }

    /** A grace period in whole seconds: none to an hour. */
    static final class GraceSeconds extends WholeRange {
        GraceSeconds() {
            super(0, 3_600);
        }
    }

    /** Sequences decoded together: each holds a KV cache, so a few hundred at most. */
    static final class Slots extends WholeRange {
        Slots() {
            super(1, 256);
        }
    }

    /** A body size in KiB, 1 KiB up to what a byte count in an int holds. */
    static final class KiB extends WholeRange {
        KiB() {
            super(1, Integer.MAX_VALUE >> 10);
        }
    }

    /** A body size in MiB, 1 MiB up to what a byte count in an int holds. */
    static final class MiB extends WholeRange {
        MiB() {
            super(1, Integer.MAX_VALUE >> 20);
        }
    }
}
