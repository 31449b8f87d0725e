package org.adatoken3d.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SentencePieceTokenizerTest {
    static SentencePieceTokenizer llama;

    @BeforeAll
    static void load() {
        llama = SentencePieceTokenizer.load(PeerVectors.tokenizerModel());
    }

    @Test
    void reproducesEveryLlamaCppPeerVector() throws Exception {
        PeerVectors peers = PeerVectors.load();
        assertEquals(46, peers.texts().size());
        StringBuilder failures = new StringBuilder();
        for (int i = 0; i < peers.texts().size(); i++) {
            int[] got = llama.encode(peers.texts().get(i), false);
            if (!Arrays.equals(peers.ids().get(i), got)) {
                failures.append("case ").append(i).append(": expected ").append(Arrays.toString(peers.ids().get(i)))
                        .append(" got ").append(Arrays.toString(got)).append('\n');
            }
        }
        assertEquals("", failures.toString());
    }

    @Test
    void encodesLikeTheSentencePieceLibrary() throws Exception {
        ReferenceVectors reference = ReferenceVectors.load("llama2-sentencepiece-vectors.jsonl");
        assertEquals(410, reference.encodings().size());
        for (ReferenceVectors.Encoding e : reference.encodings()) {
            assertArrayEquals(e.ids(), llama.encode(e.text(), false), () -> "text: " + e.text());
        }
    }

    @Test
    void decodesLikeTheSentencePieceLibrary() throws Exception {
        ReferenceVectors reference = ReferenceVectors.load("llama2-sentencepiece-vectors.jsonl");
        assertEquals(200, reference.decodings().size());
        for (ReferenceVectors.Decoding d : reference.decodings()) {
            assertEquals(d.decoded(), llama.decode(d.ids()), () -> "ids: " + Arrays.toString(d.ids()));
        }
    }

    @Test
    void llamaSpecialIdsAndPieces() {
        assertEquals(32000, llama.vocabSize());
        assertEquals(1, llama.bos());
        assertEquals(2, llama.eos());
        assertEquals("\u2581Hello", llama.piece(15043));
        assertEquals("<0x0A>", llama.piece(13));
        assertArrayEquals(new int[] {1, 15043, 3186}, llama.encode("Hello world", true));
        assertArrayEquals(new int[] {1}, llama.encode("", true));
    }

    @Test
    void decodeDropsOnlyTheDummyPrefixSpace() {
        assertEquals("Hello world", llama.decode(new int[] {1, 15043, 3186}));
        // " Hello": the text's own space survives, only the dummy prefix (the first ▁) goes.
        assertEquals(" Hello", llama.decode(new int[] {1, 29871, 15043}));
        // A BOS in mid-sequence starts a new text, as in llama2.c: its first piece loses the dummy space too.
        assertEquals("Hello worldHello world", llama.decode(new int[] {15043, 3186, 2, 1, 15043, 3186}));
    }
}
