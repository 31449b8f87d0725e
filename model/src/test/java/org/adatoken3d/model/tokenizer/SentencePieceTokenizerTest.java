package org.adatoken3d.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SentencePieceTokenizerTest {
    static SentencePieceTokenizer llama;
    static PeerVectors peers;

    @BeforeAll
    static void load() throws Exception {
        llama = SentencePieceTokenizer.load(PeerVectors.tokenizerModel());
        peers = PeerVectors.load();
    }

    @Test
    void reproducesEveryLlamaCppPeerVector() {
        assertEquals(46, peers.texts().size());
        int failures = 0;
        StringBuilder report = new StringBuilder();
        for (int i = 0; i < peers.texts().size(); i++) {
            int[] got = llama.encode(peers.texts().get(i), false);
            if (!java.util.Arrays.equals(peers.ids().get(i), got)) {
                failures++;
                report.append("case ").append(i).append(": expected ").append(java.util.Arrays.toString(peers.ids().get(i)))
                        .append(" got ").append(java.util.Arrays.toString(got)).append('\n');
            }
        }
        assertEquals(0, failures, report.toString());
    }

    @Test
    void llamaSpecialIds() {
        assertEquals(32000, llama.vocabSize());
        assertEquals(1, llama.bos());
        assertEquals(2, llama.eos());
        assertEquals("\u2581Hello", llama.piece(15043));
        assertArrayEquals(new int[] {1, 15043, 3186}, llama.encode("Hello world", true));
    }
}
