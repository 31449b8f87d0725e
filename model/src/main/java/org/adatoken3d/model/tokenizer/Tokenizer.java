package org.adatoken3d.model.tokenizer;

/**
 * Text to token ids and back, for one model's vocabulary.
 *
 * <p>Decoding follows the LLaMA-2 conventions for SentencePiece-style vocabularies: BOS, EOS and other control
 * pieces decode to nothing, and the first text piece of a sequence, or the first after a BOS, loses the one space
 * that the encoder's dummy prefix put there ({@code [1, 15043, 3186]} decodes to {@code "Hello world"}, not
 * {@code " Hello world"}). Byte-fallback pieces are raw bytes; the bytes of one UTF-8 character may span several
 * ids, and bytes that never form a valid character come out as U+FFFD.
 */
public interface Tokenizer {
    /** Sentinel for {@link #bos()} or {@link #eos()} when the vocabulary has no such token. */
    int NONE = -1;

    /**
     * The ids of {@code text}, preceded by {@link #bos()} when {@code addBos} is set and the vocabulary has one. For
     * SentencePiece-style vocabularies a non-empty text gets the dummy-prefix space, as the reference encoders do.
     */
    int[] encode(String text, boolean addBos);

    /** The text of {@code ids}: what pushing them all through one {@link #newDecoder()} and flushing gives. */
    default String decode(int[] ids) {
        Decoder decoder = newDecoder();
        StringBuilder text = new StringBuilder();
        for (int id : ids) text.append(decoder.push(id));
        return text.append(decoder.flush()).toString();
    }

    /**
     * A streaming decoder positioned at the start of a text (so the first text piece loses its dummy-prefix space).
     * To continue after a prompt, push the prompt's ids first and ignore what they return.
     */
    Decoder newDecoder();

    /** The beginning-of-sequence id, or {@link #NONE}. */
    int bos();

    /** The end-of-sequence id, or {@link #NONE}. */
    int eos();

    /** One more than the largest id this tokenizer can produce or decode. */
    int vocabSize();

    /** The vocabulary's own spelling of {@code id} (e.g. {@code "▁Hello"}, {@code "<0x0A>"}, {@code "Ġworld"}). */
    String piece(int id);

    /** Incremental decoding for streamed generation; one instance per text, not thread-safe. */
    interface Decoder {
        /** The text that {@code id} completes: empty while a multi-byte character is still incomplete. */
        String push(int id);

        /** Whatever is still held back at the end of the text: an unfinished character becomes U+FFFD. */
        String flush();
    }
}
