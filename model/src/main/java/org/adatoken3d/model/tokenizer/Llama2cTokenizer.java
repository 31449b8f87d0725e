package org.adatoken3d.model.tokenizer;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.adatoken3d.weights.InvalidFileException;

/**
 * llama2.c's {@code tokenizer.bin} (the stories models ship it): {@code int32 max_token_length}, then per token in
 * id order {@code float32 score, int32 length, bytes}, all little-endian, until the end of the file. Ids 0, 1, 2
 * are unknown, BOS and EOS; ids 3..258 are the byte pieces {@code <0x00>..<0xFF>}; spaces are stored as real spaces.
 *
 * <p>Encoding is llama2.c's {@code encode}: a {@code " "} piece in front of a non-empty text (the dummy prefix), one
 * piece per UTF-8 character or, for a character not in the vocabulary, its bytes as ids {@code byte + 3}; then
 * repeatedly merge the adjacent pair whose joined piece has the highest score, the leftmost among equals. Byte
 * pieces do not take part in merges (in llama2.c they could only join into a piece spelled like
 * {@code "<0xE2><0x96>"}, which no real vocabulary has).
 *
 * <p>Pieces are compared as bytes (held one char per byte), so vocabularies whose pieces are not whole UTF-8
 * characters work too.
 */
public final class Llama2cTokenizer implements Tokenizer {
    private static final int BOS = 1;
    private static final int EOS = 2;
    private static final int FIRST_BYTE_PIECE = 3;
    private static final int FIRST_TEXT_PIECE = FIRST_BYTE_PIECE + 256;
    /** llama2.c starts its search for the best pair at this score, so a worse pair never merges. */
    private static final float WORST_SCORE = -1e10f;

    /** Each piece's bytes, one char per byte. */
    private final String[] pieces;
    private final float[] scores;
    private final Map<String, Integer> textPieces = new HashMap<>();
    private final Integer dummyPrefix;
    private final Spelling spelling;

    private Llama2cTokenizer(String[] pieces, float[] scores) {
        this.pieces = pieces;
        this.scores = scores;
        for (int id = FIRST_TEXT_PIECE; id < pieces.length; id++) textPieces.putIfAbsent(pieces[id], id);
        this.dummyPrefix = textPieces.get(" ");
        byte[][] bytes = new byte[pieces.length][];
        for (int id = 0; id < pieces.length; id++) {
            bytes[id] = id == BOS || id == EOS ? new byte[0]
                    : id >= FIRST_BYTE_PIECE && id < FIRST_TEXT_PIECE ? new byte[] {(byte) (id - FIRST_BYTE_PIECE)}
                    : pieces[id].getBytes(ISO_8859_1);
        }
        BitSet carriers = new BitSet(pieces.length);
        carriers.set(FIRST_TEXT_PIECE, pieces.length);
        this.spelling = new Spelling(bytes, carriers, BOS);
    }

    /** Reads a llama2.c {@code tokenizer.bin}. */
    public static Llama2cTokenizer load(Path file) {
        return parse(file, Tokenizers.readFile(file));
    }

    /** Parses the bytes of a llama2.c {@code tokenizer.bin}; {@code file} (may be null) names the source in errors. */
    public static Llama2cTokenizer parse(Path file, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < 4) throw invalid(file, "too short for the 4-byte max_token_length header");
        int maxTokenLength = in.getInt();
        if (maxTokenLength < 1) throw invalid(file, "max_token_length is " + maxTokenLength + ", must be positive");
        List<String> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        while (in.hasRemaining()) {
            int id = pieces.size();
            if (in.remaining() < 8) {
                throw invalid(file, "truncated: token " + id + " needs 8 bytes for its score and length, " + in.remaining() + " left");
            }
            float score = in.getFloat();
            int length = in.getInt();
            if (length < 0 || length > maxTokenLength) {
                throw invalid(file, "token " + id + " has length " + length + ", outside 0.." + maxTokenLength + " (max_token_length)");
            }
            if (length > in.remaining()) {
                throw invalid(file, "truncated: token " + id + " has length " + length + " but only " + in.remaining() + " bytes are left");
            }
            byte[] piece = new byte[length];
            in.get(piece);
            pieces.add(new String(piece, ISO_8859_1));
            scores.add(score);
        }
        if (pieces.size() < FIRST_TEXT_PIECE) {
            throw invalid(file, "has " + pieces.size() + " tokens; a llama2.c vocabulary has at least " + FIRST_TEXT_PIECE
                    + " (unknown, BOS, EOS and the 256 byte pieces)");
        }
        for (int b = 0; b < 256; b++) {
            String expected = String.format("<0x%02X>", b);
            if (!pieces.get(FIRST_BYTE_PIECE + b).equals(expected)) {
                throw invalid(file, "token " + (FIRST_BYTE_PIECE + b) + " should be the byte piece " + expected
                        + " (llama2.c's byte fallback relies on ids 3..258)");
            }
        }
        float[] scoreArray = new float[scores.size()];
        for (int i = 0; i < scoreArray.length; i++) scoreArray[i] = scores.get(i);
        return new Llama2cTokenizer(pieces.toArray(new String[0]), scoreArray);
    }

    @Override
    public int[] encode(String text, boolean addBos) {
        // Symbols are UTF-8 bytes held one char per byte, one symbol per character as llama2.c groups them (a lead
        // byte and at most three continuation bytes); a character outside the vocabulary falls back to its bytes.
        byte[] utf8 = text.getBytes(UTF_8);
        List<String> symbols = new ArrayList<>();
        List<Integer> byteIds = new ArrayList<>();
        if (utf8.length > 0 && dummyPrefix != null) {
            symbols.add(" ");
            byteIds.add(null);
        }
        for (int i = 0; i < utf8.length; ) {
            int end = i + 1;
            while (end < utf8.length && end - i < 4 && (utf8[end] & 0xC0) == 0x80) end++;
            String character = new String(utf8, i, end - i, ISO_8859_1);
            if (textPieces.containsKey(character)) {
                symbols.add(character);
                byteIds.add(null);
            } else {
                for (int k = i; k < end; k++) {
                    symbols.add(pieces[FIRST_BYTE_PIECE + (utf8[k] & 0xFF)]);
                    byteIds.add(FIRST_BYTE_PIECE + (utf8[k] & 0xFF));
                }
            }
            i = end;
        }
        boolean[] frozen = new boolean[symbols.size()];
        for (int i = 0; i < frozen.length; i++) frozen[i] = byteIds.get(i) != null;
        String[] merged = PairMerger.merge(symbols.toArray(new String[0]), frozen, (left, right) -> {
            Integer id = textPieces.get(left + right);
            return id == null || !(scores[id] > WORST_SCORE) ? PairMerger.NO_MERGE : scores[id];
        });
        int[] ids = new int[merged.length + 1];
        int n = 0;
        if (addBos) ids[n++] = BOS;
        for (int i = 0; i < merged.length; i++) {
            if (merged[i] != null) ids[n++] = frozen[i] ? byteIds.get(i) : textPieces.get(merged[i]);
        }
        return Arrays.copyOf(ids, n);
    }

    @Override
    public Decoder newDecoder() {
        return new TextDecoder(spelling);
    }

    @Override
    public int bos() {
        return BOS;
    }

    @Override
    public int eos() {
        return EOS;
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public String piece(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + pieces.length + " ids");
        }
        return new String(pieces[id].getBytes(ISO_8859_1), UTF_8);
    }

    private static InvalidFileException invalid(Path file, String problem) {
        return new InvalidFileException(file, "llama2.c tokenizer " + problem);
    }
}
