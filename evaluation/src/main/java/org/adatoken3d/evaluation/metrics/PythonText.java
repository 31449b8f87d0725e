package org.adatoken3d.evaluation.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * The few Python 3 string operations the community's evaluators are written in, with Python's meaning:
 * {@code str.isspace} (which differs from both {@link Character#isWhitespace} and {@code \s} in Java),
 * {@code str.split()} with no argument and {@code str.lstrip()}. Porting with Java's own versions would score
 * some inputs differently.
 */
public final class PythonText {
    private PythonText() {}

    /** Python's {@code str.isspace()} for one code point (the Unicode White_Space set plus U+001C..U+001F). */
    public static boolean isSpace(int cp) {
        return switch (cp) {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }

    /** A regex character class matching exactly {@link #isSpace}, for porting Python's {@code \s}. */
    public static final String SPACE_CLASS =
            "\\x09-\\x0D\\x1C-\\x20\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";

    /** {@code s.split()}: runs of whitespace separate, leading and trailing whitespace gives no empty field. */
    public static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (isSpace(cp)) {
                if (start >= 0) out.add(s.substring(start, i));
                start = -1;
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) out.add(s.substring(start));
        return out;
    }

    /** {@code ''.join(s.split())}: the text with all whitespace removed. */
    public static String withoutSpace(String s) {
        return String.join("", split(s));
    }

    /** {@code s.lstrip()}. */
    public static String lstrip(String s) {
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (!isSpace(cp)) break;
            i += Character.charCount(cp);
        }
        return s.substring(i);
    }

    /** {@code s.strip()}. */
    public static String strip(String s) {
        int end = s.length();
        while (end > 0) {
            int cp = s.codePointBefore(end);
            if (!isSpace(cp)) break;
            end -= Character.charCount(cp);
        }
        return lstrip(s.substring(0, end));
    }

    /** {@code s[:n].lower()}: the first n code points, lower-cased as Python does (no locale). */
    public static String lowerPrefix(String s, int n) {
        int end = s.offsetByCodePoints(0, Math.min(n, s.codePointCount(0, s.length())));
        return s.substring(0, end).toLowerCase(java.util.Locale.ROOT);
    }
}
