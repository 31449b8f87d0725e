package org.adatoken3d.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** bench serve's decode rate on hand-made arrival times (numbers, not clocks). */
class DecodeWindowTest {
    static DecodeWindow.Stream stream(int tokens, long... chunks) {
        return new DecodeWindow.Stream(chunks, tokens);
    }

    @Test
    void oneClientCountsTheTokensAfterTheFirstOverTheTimeFromFirstToLast() {
        // Two requests: 5 tokens in chunks from 100 to 500, then 3 tokens from 1000 to 1200. The gap between them
        // (the second's prefill) is not decoding time.
        DecodeWindow w = DecodeWindow.of(List.of(List.of(stream(5, 100, 200, 300, 400, 500), stream(3, 1000, 1100, 1200))));
        assertEquals(4 + 2, w.tokens(), 1e-12);
        assertEquals(400 + 200, w.nanos());
    }

    @Test
    void manyClientsCountOnlyWhileAllAreDecoding() {
        // Client A decodes over (0, 1000], client B over (400, 1400]: both only in (400, 1000], 600 ns. A's chunks
        // at 500 and 1000 and B's at 600, 800 and 1000 fall in it; B's at 1400 does not.
        DecodeWindow w = DecodeWindow.of(List.of(List.of(stream(5, 0, 250, 500, 750, 1000)), List.of(stream(5, 400, 600, 800, 1000, 1400))));
        assertEquals(600, w.nanos());
        assertEquals(3 + 3, w.tokens(), 1e-12, "A: 500, 750, 1000; B: 600, 800, 1000");
        assertEquals(6 / 600e-9, w.perSecond(), 1e-3);
    }

    @Test
    void aChunkThatCarriesHeldBackTokensCountsTheirShare() {
        // 7 completion tokens arrived as 4 chunks: the 6 after the first are spread over the 3 later chunks.
        DecodeWindow w = DecodeWindow.of(List.of(List.of(stream(7, 0, 10, 20, 30))));
        assertEquals(6, w.tokens(), 1e-12);
        assertEquals(30, w.nanos());
    }

    @Test
    void aClientThatNeverDecodesLeavesNoWindow() {
        DecodeWindow w = DecodeWindow.of(List.of(List.of(stream(5, 0, 10, 20, 30, 40)), List.of(stream(1, 15))));
        assertEquals(0, w.nanos());
        assertEquals(0, w.tokens(), 1e-12);
        assertEquals(Double.NaN, w.perSecond());
    }
}
