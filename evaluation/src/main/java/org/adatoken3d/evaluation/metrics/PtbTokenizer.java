package org.adatoken3d.evaluation.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The tokenisation pycocoevalcap applies before BLEU, METEOR, ROUGE-L and CIDEr ({@code tokenizer/ptbtokenizer.py}):
 * Stanford CoreNLP 3.4.1's PTBTokenizer with {@code -preserveLines -lowerCase}, then every token in its
 * punctuation list dropped and the rest joined by single spaces.
 *
 * <p>Stanford's tokenizer is a large lexer; this is a re-implementation of the part of it that answers cleaned by
 * {@link AnswerCleaner} can reach (letters, digits, whitespace and {@code , ' - :}): whitespace separates; commas
 * and colons split off except between digits ("1,000", "3:30"); hyphens inside a word stay ("twenty-three"), a
 * leading one before a digit stays ("-3"), other hyphens and dash runs split off; the clitics 's 'm 'd 're 've 'll
 * and n't split off, as do the pieces of "cannot", "gonna", "gotta", "wanna", "lemme", "gimme"; apostrophes at a
 * word's edge split off except in "'NNs" years; an apostrophe inside a word splits it unless the word is one
 * Stanford keeps whole ("o'clock", "ma'am" and the like: a letter before and a vowel or the known forms).
 * {@code PtbTokenizerTest} checks it against the Stanford jar's own output on a committed corpus; inputs outside
 * that alphabet (brackets, quotes, periods) are tokenised but not promised to match.
 */
public final class PtbTokenizer {
    /** pycocoevalcap's PUNCTUATIONS. */
    static final Set<String> PUNCTUATION = Set.of("''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";");
    private static final Set<String> CLITICS = Set.of("'s", "'m", "'d", "'re", "'ve", "'ll");
    private static final String[][] SPLIT_WORDS = {
        {"cannot", "can", "not"}, {"gonna", "gon", "na"}, {"gotta", "got", "ta"}, {"wanna", "wan", "na"}, {"lemme", "lem", "me"}, {"gimme", "gim", "me"},
    };

    private PtbTokenizer() {}

    /** The caption as pycocoevalcap hands it to the scorers. */
    public static String tokenize(String caption) {
        List<String> kept = new ArrayList<>();
        for (String t : tokens(caption.replace('\n', ' '))) if (!PUNCTUATION.contains(t)) kept.add(t);
        return String.join(" ", kept);
    }

    /** Stanford's tokens, lower-cased, punctuation included. */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        for (String chunk : PythonText.split(text.toLowerCase(Locale.ROOT))) splitChunk(chunk, out);
        return out;
    }

    private static boolean isAlnum(char c) {
        return Character.isLetterOrDigit(c);
    }

    private static void splitChunk(String s, List<String> out) {
        int i = 0, n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == ',' || c == ':') {
                out.add(String.valueOf(c));
                i++;
            } else if (c == '-') {
                int j = i;
                while (j < n && s.charAt(j) == '-') j++;
                if (j - i == 1 && j < n && Character.isDigit(s.charAt(j)) && (i == 0 || !isAlnum(s.charAt(i - 1)))) {
                    i = word(s, i + 1, out, "-");
                } else {
                    out.add(j - i == 1 ? "-" : "--");
                    i = j;
                }
            } else if (c == '\'') {
                if (i + 3 < n && Character.isDigit(s.charAt(i + 1)) && Character.isDigit(s.charAt(i + 2)) && s.charAt(i + 3) == 's'
                        && (i + 4 == n || !isAlnum(s.charAt(i + 4)))) {
                    out.add(s.substring(i, i + 4));
                    i += 4;
                } else {
                    int j = i + 1;
                    while (j < n && isAlnum(s.charAt(j))) j++;
                    String clitic = s.substring(i, j);
                    if (CLITICS.contains(clitic)) {
                        out.add(clitic);
                        i = j;
                    } else {
                        out.add("'");
                        i++;
                    }
                }
            } else if (isAlnum(c)) {
                i = word(s, i, out, "");
            } else {
                int j = i + 1;
                while (j < n && !isAlnum(s.charAt(j)) && ",:-'".indexOf(s.charAt(j)) < 0) j++;
                out.add(s.substring(i, j));
                i = j;
            }
        }
    }

    /** Reads a word from {@code start}: letters and digits joined by inner hyphens, commas or colons between digits. */
    private static int word(String s, int start, List<String> out, String prefix) {
        int n = s.length(), j = start;
        while (j < n) {
            char c = s.charAt(j);
            if (isAlnum(c)) {
                j++;
            } else if (c == '-' && j + 1 < n && isAlnum(s.charAt(j + 1)) && j > start) {
                j++;
            } else if ((c == ',' || c == ':') && j > start && Character.isDigit(s.charAt(j - 1)) && j + 1 < n && Character.isDigit(s.charAt(j + 1))) {
                j++;
            } else if (c == '\'' && j > start && j + 1 < n && Character.isLetter(s.charAt(j + 1)) && keepsApostrophe(s, start, j)) {
                j++;
            } else {
                break;
            }
        }
        String w = prefix + s.substring(start, j);
        if (w.endsWith("n") && j + 2 < n + 1 && s.startsWith("'t", j) && (j + 2 == n || !isAlnum(s.charAt(j + 2))) && w.length() > 1) {
            // "don't" -> "do n't", "can't" -> "ca n't": the n belongs to the clitic.
            out.add(w.substring(0, w.length() - 1));
            out.add("n't");
            return j + 2;
        }
        for (String[] split : SPLIT_WORDS) {
            if (w.equals(split[0])) {
                out.add(split[1]);
                out.add(split[2]);
                return j;
            }
        }
        out.add(w);
        return j;
    }

    /** Stanford keeps "o'clock", "d'ya", "ma'am": a one-letter o/d/l/j before the apostrophe, or a vowel on both sides. */
    private static boolean keepsApostrophe(String s, int start, int at) {
        int end = at + 1;
        while (end < s.length() && Character.isLetter(s.charAt(end))) end++;
        String after = s.substring(at + 1, end);
        if (CLITICS.contains("'" + after)) return false;
        if (at - start == 1 && "odlj".indexOf(s.charAt(start)) >= 0 && after.length() >= 2) return true;
        return at - start >= 2 && "aeiouy".indexOf(s.charAt(at - 1)) >= 0 && "aeiou".indexOf(s.charAt(at + 1)) >= 0;
    }
}
