package org.adatoken3d.evaluation.metrics;

import java.util.Map;
import java.util.function.Predicate;

/**
 * The Porter stemmer in NLTK's default mode ({@code nltk.stem.porter.PorterStemmer}, {@code NLTK_EXTENSIONS}),
 * which NLTK's METEOR uses for its stem stage: Porter's five steps with NLTK's additions (the irregular-form
 * pool, words of two letters or fewer left alone, "ies"/"ied" on four-letter words, "alli", "fulli", "logi", and
 * the two-letter vowel-consonant case of *o).
 */
public final class PorterStemmer {
    private static final Map<String, String> POOL = Map.ofEntries(
            Map.entry("sky", "sky"), Map.entry("skies", "sky"), Map.entry("dying", "die"), Map.entry("lying", "lie"),
            Map.entry("tying", "tie"), Map.entry("news", "news"), Map.entry("innings", "inning"), Map.entry("inning", "inning"),
            Map.entry("outings", "outing"), Map.entry("outing", "outing"), Map.entry("cannings", "canning"), Map.entry("canning", "canning"),
            Map.entry("howe", "howe"), Map.entry("proceed", "proceed"), Map.entry("exceed", "exceed"), Map.entry("succeed", "succeed"));

    private record Rule(String suffix, String replacement, Predicate<String> condition) {}

    private PorterStemmer() {}

    public static String stem(String word) {
        String stem = word.toLowerCase(java.util.Locale.ROOT);
        // NLTK looks the original word up but answers with the lower-cased one's entry; the same for lower-case input.
        if (POOL.containsKey(word)) return POOL.get(stem);
        if (word.length() <= 2) return stem;
        stem = step1a(stem);
        stem = step1b(stem);
        stem = step1c(stem);
        stem = step2(stem);
        stem = step3(stem);
        stem = step4(stem);
        stem = step5a(stem);
        stem = step5b(stem);
        return stem;
    }

    private static boolean isVowel(char c) {
        return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
    }

    static boolean isConsonant(String word, int i) {
        // A 'y' is a consonant at the start or after a vowel: walk back over the run of y's it ends.
        boolean consonant = true;
        int j = i;
        while (true) {
            char c = word.charAt(j);
            if (isVowel(c)) {
                consonant = false;
                break;
            }
            if (c != 'y') break;
            if (j == 0) break;
            j--;
        }
        // consonant now holds the value at j; each step back over a 'y' flips it.
        return ((i - j) % 2 == 0) == consonant;
    }

    static int measure(String stem) {
        int count = 0;
        boolean previousVowel = false;
        for (int i = 0; i < stem.length(); i++) {
            boolean vowel = !isConsonant(stem, i);
            if (previousVowel && !vowel) count++;
            previousVowel = vowel;
        }
        return count;
    }

    private static boolean containsVowel(String stem) {
        for (int i = 0; i < stem.length(); i++) if (!isConsonant(stem, i)) return true;
        return false;
    }

    private static boolean endsDoubleConsonant(String w) {
        int n = w.length();
        return n >= 2 && w.charAt(n - 1) == w.charAt(n - 2) && isConsonant(w, n - 1);
    }

    private static boolean endsCvc(String w) {
        int n = w.length();
        boolean cvc = n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1)
                && "wxy".indexOf(w.charAt(n - 1)) < 0;
        return cvc || (n == 2 && !isConsonant(w, 0) && isConsonant(w, 1));
    }

    private static String applyRules(String word, Rule... rules) {
        for (Rule rule : rules) {
            if (rule.suffix.equals("*d") && endsDoubleConsonant(word)) {
                String stem = word.substring(0, word.length() - 2);
                return rule.condition == null || rule.condition.test(stem) ? stem + rule.replacement : word;
            }
            if (word.endsWith(rule.suffix)) {
                String stem = word.substring(0, word.length() - rule.suffix.length());
                return rule.condition == null || rule.condition.test(stem) ? stem + rule.replacement : word;
            }
        }
        return word;
    }

    private static Rule rule(String suffix, String replacement, Predicate<String> condition) {
        return new Rule(suffix, replacement, condition);
    }

    private static String step1a(String w) {
        if (w.endsWith("ies") && w.length() == 4) return w.substring(0, 1) + "ie";
        return applyRules(w, rule("sses", "ss", null), rule("ies", "i", null), rule("ss", "ss", null), rule("s", "", null));
    }

    private static String step1b(String w) {
        if (w.endsWith("ied")) return w.length() == 4 ? w.substring(0, 1) + "ie" : w.substring(0, w.length() - 3) + "i";
        if (w.endsWith("eed")) {
            String stem = w.substring(0, w.length() - 3);
            return measure(stem) > 0 ? stem + "ee" : w;
        }
        String intermediate = null;
        for (String suffix : new String[] {"ed", "ing"}) {
            if (w.endsWith(suffix)) {
                String candidate = w.substring(0, w.length() - suffix.length());
                if (containsVowel(candidate)) {
                    intermediate = candidate;
                    break;
                }
            }
        }
        if (intermediate == null) return w;
        String last = intermediate.substring(intermediate.length() - 1);
        return applyRules(intermediate,
                rule("at", "ate", null), rule("bl", "ble", null), rule("iz", "ize", null),
                rule("*d", last, s -> !"lsz".contains(last)),
                rule("", "e", s -> measure(s) == 1 && endsCvc(s)));
    }

    private static String step1c(String w) {
        return applyRules(w, rule("y", "i", s -> s.length() > 1 && isConsonant(s, s.length() - 1)));
    }

    private static String step2(String w) {
        if (w.endsWith("alli") && measure(w.substring(0, w.length() - 4)) > 0) return step2(w.substring(0, w.length() - 4) + "al");
        Predicate<String> m = s -> measure(s) > 0;
        return applyRules(w,
                rule("ational", "ate", m), rule("tional", "tion", m), rule("enci", "ence", m), rule("anci", "ance", m),
                rule("izer", "ize", m), rule("bli", "ble", m), rule("alli", "al", m), rule("entli", "ent", m), rule("eli", "e", m),
                rule("ousli", "ous", m), rule("ization", "ize", m), rule("ation", "ate", m), rule("ator", "ate", m), rule("alism", "al", m),
                rule("iveness", "ive", m), rule("fulness", "ful", m), rule("ousness", "ous", m), rule("aliti", "al", m), rule("iviti", "ive", m),
                rule("biliti", "ble", m), rule("fulli", "ful", m),
                rule("logi", "log", s -> measure(w.substring(0, w.length() - 3)) > 0));
    }

    private static String step3(String w) {
        Predicate<String> m = s -> measure(s) > 0;
        return applyRules(w, rule("icate", "ic", m), rule("ative", "", m), rule("alize", "al", m), rule("iciti", "ic", m),
                rule("ical", "ic", m), rule("ful", "", m), rule("ness", "", m));
    }

    private static String step4(String w) {
        Predicate<String> m = s -> measure(s) > 1;
        return applyRules(w, rule("al", "", m), rule("ance", "", m), rule("ence", "", m), rule("er", "", m), rule("ic", "", m),
                rule("able", "", m), rule("ible", "", m), rule("ant", "", m), rule("ement", "", m), rule("ment", "", m), rule("ent", "", m),
                rule("ion", "", s -> measure(s) > 1 && !s.isEmpty() && "st".indexOf(s.charAt(s.length() - 1)) >= 0),
                rule("ou", "", m), rule("ism", "", m), rule("ate", "", m), rule("iti", "", m), rule("ous", "", m), rule("ive", "", m),
                rule("ize", "", m));
    }

    private static String step5a(String w) {
        if (w.endsWith("e")) {
            String stem = w.substring(0, w.length() - 1);
            if (measure(stem) > 1) return stem;
            if (measure(stem) == 1 && !endsCvc(stem)) return stem;
        }
        return w;
    }

    private static String step5b(String w) {
        return applyRules(w, rule("ll", "l", s -> measure(w.substring(0, w.length() - 1)) > 1));
    }
}
