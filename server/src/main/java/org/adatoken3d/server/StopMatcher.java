package org.adatoken3d.server;

import java.util.List;

/**
 * OpenAI's {@code stop}: generation ends at the first stop sequence, which is not part of the answer. Streamed text is
 * held back while it could still be the start of a stop sequence, so no piece of one ever reaches the client.
 */
final class StopMatcher {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopMatcher(List<String> stops) {
        this.stops = stops;
    }

    /** Takes the next piece of text; returns what may be sent now (possibly empty). */
    String push(String piece) {
        if (stopped) return "";
        held.append(piece);
        int cut = -1;
        for (String s : stops) {
            int at = held.indexOf(s);
            if (at >= 0 && (cut < 0 || at < cut)) cut = at;
        }
        if (cut >= 0) {
            stopped = true;
            String out = held.substring(0, cut);
            held.setLength(0);
            return out;
        }
        int keep = 0;
        for (String s : stops) keep = Math.max(keep, overlap(held, s));
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** What is still held when generation ends for another reason: it was no stop sequence after all. */
    String flush() {
        String out = stopped ? "" : held.toString();
        held.setLength(0);
        return out;
    }

    boolean stopped() {
        return stopped;
    }

    /** The longest suffix of {@code text} that is a proper prefix of {@code stop}. */
    private static int overlap(CharSequence text, String stop) {
        for (int len = Math.min(text.length(), stop.length() - 1); len > 0; len--) {
            boolean match = true;
            for (int i = 0; i < len && match; i++) match = text.charAt(text.length() - len + i) == stop.charAt(i);
            if (match) return len;
        }
        return 0;
    }
}
