package org.adatoken3d.model.tokenizer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the longest of a fixed set of strings that starts at a given place in a text: how SentencePiece's
 * user-defined pieces and Hugging Face's added tokens are cut out of a text before BPE sees it.
 */
final class PrefixMatcher {
    private final Map<Character, List<String>> byFirstChar = new HashMap<>();

    PrefixMatcher(Collection<String> strings) {
        for (String s : strings) {
            if (!s.isEmpty()) byFirstChar.computeIfAbsent(s.charAt(0), c -> new ArrayList<>()).add(s);
        }
        Comparator<String> longestFirst = Comparator.comparingInt(String::length).reversed();
        byFirstChar.values().forEach(list -> list.sort(longestFirst));
    }

    boolean isEmpty() {
        return byFirstChar.isEmpty();
    }

    /** The longest string of the set that {@code text} holds at {@code from}, or null. */
    String longestAt(String text, int from) {
        List<String> candidates = byFirstChar.get(text.charAt(from));
        if (candidates == null) return null;
        for (String s : candidates) {
            if (text.startsWith(s, from)) return s;
        }
        return null;
    }
}
