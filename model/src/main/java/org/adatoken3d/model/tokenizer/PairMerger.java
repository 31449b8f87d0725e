package org.adatoken3d.model.tokenizer;

import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * Greedy byte-pair merging: join the adjacent pair with the best score, the leftmost among equals, until no
 * adjacent pair may be joined. SentencePiece BPE, llama2.c and Hugging Face BPE are all this loop with their own
 * score (the joined piece's score, the same, the negated merge rank).
 *
 * <p>Candidate pairs wait in a priority queue and are checked when they come out, so a text of n symbols costs
 * O(n log n) rather than a rescan of every pair after every merge.
 */
final class PairMerger {
    /** How good joining two adjacent symbols is: higher first; {@link #NO_MERGE} when they may not be joined. */
    @FunctionalInterface
    interface PairScore {
        double score(String left, String right);
    }

    static final double NO_MERGE = Double.NaN;

    private record Candidate(int left, int right, String leftSymbol, String rightSymbol, double score) {}

    private static final Comparator<Candidate> BEST_FIRST =
            Comparator.comparingDouble((Candidate c) -> -c.score).thenComparingInt(Candidate::left);

    private PairMerger() {}

    /**
     * Merges {@code symbols} in place: a merged symbol stays at the index of its left part, and the indices it
     * absorbed become null, so the non-null entries are the result in order and each keeps the index of its first
     * original symbol. {@code frozen} (may be null) marks symbols that never join a neighbour, such as SentencePiece
     * user-defined pieces or bytes that fell back to byte pieces.
     */
    static String[] merge(String[] symbol, boolean[] frozen, PairScore pairs) {
        int n = symbol.length;
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Candidate> agenda = new PriorityQueue<>(Math.max(1, n), BEST_FIRST);
        for (int i = 0; i + 1 < n; i++) offer(agenda, symbol, frozen, pairs, i, i + 1);
        while (!agenda.isEmpty()) {
            Candidate c = agenda.poll();
            // Every merge makes a new String, so a candidate whose sides are still the very same objects is current;
            // anything between its sides would have been absorbed by the left side and changed it.
            if (symbol[c.left] != c.leftSymbol || symbol[c.right] != c.rightSymbol) continue;
            symbol[c.left] = c.leftSymbol + c.rightSymbol;
            symbol[c.right] = null;
            next[c.left] = next[c.right];
            if (next[c.right] >= 0) prev[next[c.right]] = c.left;
            offer(agenda, symbol, frozen, pairs, prev[c.left], c.left);
            offer(agenda, symbol, frozen, pairs, c.left, next[c.left]);
        }
        return symbol;
    }

    private static void offer(
            PriorityQueue<Candidate> agenda, String[] symbol, boolean[] frozen, PairScore pairs, int left, int right) {
        if (left < 0 || right < 0) return;
        if (frozen != null && (frozen[left] || frozen[right])) return;
        double score = pairs.score(symbol[left], symbol[right]);
        if (!Double.isNaN(score)) agenda.add(new Candidate(left, right, symbol[left], symbol[right], score));
    }
}
