package org.adatoken3d.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The decoding rate of a load phase, measured apart from prefill: the tokens clients received after each request's
 * first token, counted while every client was decoding (between a first and a last token of one of its requests),
 * over the time every client was decoding. With one client this is the completion tokens after the first over the
 * time from first to last token, summed over its requests; with N it is what N sequences decoding together give, and
 * the time some client waits for its prompt's prefill (no first token yet) is left out for all.
 *
 * <p>Each streamed chunk after the first stands for an equal share of the request's completion tokens after the
 * first: a chunk is one token, unless the detokenizer held a piece back (a partial UTF-8 sequence) to send with the
 * next.
 *
 * @param tokens decode tokens received while all clients were decoding
 * @param nanos  time all clients were decoding
 */
record DecodeWindow(double tokens, long nanos) {
    /** One streamed request: the arrival times of its content chunks (first = first token) and its completion tokens. */
    record Stream(long[] chunkNanos, int completionTokens) {
        long first() {
            return chunkNanos[0];
        }

        long last() {
            return chunkNanos[chunkNanos.length - 1];
        }

        boolean decoded() {
            return chunkNanos.length > 1 && completionTokens > 1 && last() > first();
        }
    }

    /** The window of {@code clients}, each a list of its requests one after another. */
    static DecodeWindow of(List<List<Stream>> clients) {
        record Edge(long at, int delta) {}
        List<Edge> edges = new ArrayList<>();
        for (List<Stream> client : clients) {
            for (Stream s : client) {
                if (!s.decoded()) continue;
                edges.add(new Edge(s.first(), +1));
                edges.add(new Edge(s.last(), -1));
            }
        }
        // At equal times an end comes before a start: a window is never made of a single instant.
        edges.sort(Comparator.comparingLong(Edge::at).thenComparingInt(Edge::delta));
        List<long[]> all = new ArrayList<>();
        int open = 0;
        long start = 0;
        for (Edge e : edges) {
            if (e.delta() < 0 && open == clients.size()) all.add(new long[] {start, e.at()});
            open += e.delta();
            if (e.delta() > 0 && open == clients.size()) start = e.at();
        }
        long nanos = 0;
        for (long[] w : all) nanos += w[1] - w[0];
        double tokens = 0;
        for (List<Stream> client : clients) {
            for (Stream s : client) {
                if (!s.decoded()) continue;
                double each = (s.completionTokens() - 1) / (double) (s.chunkNanos().length - 1);
                for (int i = 1; i < s.chunkNanos().length; i++) {
                    if (inside(all, s.chunkNanos()[i])) tokens += each;
                }
            }
        }
        return new DecodeWindow(tokens, nanos);
    }

    /** Whether t lies in one of the windows (start, end]. */
    private static boolean inside(List<long[]> windows, long t) {
        for (long[] w : windows) if (t > w[0] && t <= w[1]) return true;
        return false;
    }

    double perSecond() {
        return nanos == 0 ? Double.NaN : tokens / (nanos / 1e9);
    }
}
