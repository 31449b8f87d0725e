package org.adatoken3d.cli;

import org.adatoken3d.model.Model;
import org.adatoken3d.weights.SafetensorsFile;

/**
 * A model's answer as printed: control characters escaped, since the bytes a model emits (a synthetic one's above all)
 * would otherwise move the cursor, clear the screen or ring the terminal; and a warning before the answer of a
 * checkpoint {@code synth} wrote, whose random weights can only give noise.
 */
final class AnswerText {
    /** The {@code producer} metadata every safetensors file written by {@code synth} carries. */
    static final String SYNTHETIC_PRODUCER = "adatoken3d synth";

    private AnswerText() {}

    static boolean isSynthetic(Model m) {
        for (SafetensorsFile f : m.checkpoint().files()) {
            if (f.metadata().getOrDefault("producer", "").startsWith(SYNTHETIC_PRODUCER)) return true;
        }
        return false;
    }

    /** Says on stderr, before the answer, that a synthetic model's answer means nothing. */
    static void warnIfSynthetic(Model m) {
        if (isSynthetic(m)) {
            Progress.say("warning: %s holds synthetic weights (seeded random numbers written by synth): its answer is noise, "
                    + "useful only to time and test the engine", m.directory());
        }
    }

    /** {@code text} with control characters other than line breaks and tabs written as \\xNN. */
    static String printable(String text) {
        StringBuilder s = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (cp != '\n' && cp != '\t' && (Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029)) {
                s.append(String.format("\\x%02X", cp));
            } else {
                s.appendCodePoint(cp);
            }
        });
        return s.toString();
    }
}
