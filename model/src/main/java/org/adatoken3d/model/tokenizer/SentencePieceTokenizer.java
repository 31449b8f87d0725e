package org.adatoken3d.model.tokenizer;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.adatoken3d.model.tokenizer.SentencePieceModel.Piece;
import org.adatoken3d.model.tokenizer.SentencePieceModel.Type;
import org.adatoken3d.weights.InvalidFileException;

/**
 * A SentencePiece BPE model read from {@code tokenizer.model} (LLaMA, LLaMA-2, Vicuna, LLaVA), encoding as the
 * SentencePiece library does:
 *
 * <ol>
 *   <li>Normalize: optionally collapse extra spaces, write spaces as {@code ▁}, and put one {@code ▁} in front of a
 *       non-empty text (the dummy prefix), so {@code "Hello"} and {@code " Hello"} in mid-sentence look alike.
 *   <li>Split into characters; user-defined pieces are cut out whole and never merged.
 *   <li>Repeatedly merge the adjacent pair whose joined piece is in the vocabulary with the highest score (the
 *       leftmost pair among equal scores), then split pieces marked unused back into the pair they came from.
 *   <li>A piece still not in the vocabulary becomes its UTF-8 bytes as {@code <0xXX>} pieces when the model has
 *       byte fallback (LLaMA does), otherwise the unknown id (consecutive unknowns become one).
 * </ol>
 *
 * <p>Only the identity normalizer is implemented: a model with precompiled normalization rules (e.g. T5's
 * {@code nmt_nfkc}) is rejected rather than encoded differently from the reference, and so are unigram models.
 */
public final class SentencePieceTokenizer implements Tokenizer {
    private static final String SPACE_MARK = "\u2581";

    private final Path file;
    private final List<Piece> pieces;
    /** Pieces that text may be segmented into, as SentencePiece's own lookup: normal, user-defined and unused. */
    private final Map<String, Integer> segmentable = new HashMap<>();
    private final PrefixMatcher userDefined;
    private final int unk;
    private final int bos;
    private final int eos;
    /** Byte value to the id of its {@code <0xXX>} piece; null without byte fallback. */
    private final int[] byteIds;
    private final boolean addDummyPrefix;
    private final boolean removeExtraWhitespaces;
    private final String space;
    private final Spelling spelling;

    private SentencePieceTokenizer(Path file, SentencePieceModel model) {
        this.file = file;
        this.pieces = model.pieces();
        checkSupported(model);
        Map<String, Integer> reserved = new HashMap<>();
        List<String> userPieces = new ArrayList<>();
        int unkId = NONE;
        for (int id = 0; id < pieces.size(); id++) {
            Piece p = pieces.get(id);
            boolean normal = p.type() == Type.NORMAL || p.type() == Type.USER_DEFINED || p.type() == Type.UNUSED;
            Integer earlier = (normal ? segmentable : reserved).putIfAbsent(p.text(), id);
            if (earlier != null) throw invalid("piece \"" + p.text() + "\" appears twice, as ids " + earlier + " and " + id);
            if (p.type() == Type.USER_DEFINED) userPieces.add(p.text());
            if (p.type() == Type.UNKNOWN && unkId == NONE) unkId = id;
            if (p.type() == Type.BYTE && !model.byteFallback()) {
                throw invalid("piece " + id + " (" + p.text() + ") is a byte piece, but the model's byte_fallback is off");
            }
            if (p.type() == Type.BYTE && !p.text().matches("<0x[0-9A-F]{2}>")) {
                throw invalid("piece " + id + " (" + p.text() + ") is a byte piece but is not spelled <0xXX>");
            }
        }
        if (unkId == NONE) throw invalid("the SentencePiece model has no piece of type UNKNOWN, which SentencePiece requires");
        this.unk = unkId;
        this.userDefined = new PrefixMatcher(userPieces);
        this.bos = controlId(reserved, model.bosPiece());
        this.eos = controlId(reserved, model.eosPiece());
        this.byteIds = model.byteFallback() ? byteIds(reserved) : null;
        this.addDummyPrefix = model.addDummyPrefix();
        this.removeExtraWhitespaces = model.removeExtraWhitespaces();
        this.space = model.escapeWhitespaces() ? SPACE_MARK : " ";
        this.spelling = spelling(model);
    }

    /** Reads a {@code tokenizer.model} file. */
    public static SentencePieceTokenizer load(Path file) {
        return parse(file, Tokenizers.readFile(file));
    }

    /** Parses the bytes of a {@code tokenizer.model}; {@code file} (may be null) names the source in errors. */
    public static SentencePieceTokenizer parse(Path file, byte[] bytes) {
        return new SentencePieceTokenizer(file, SentencePieceModel.parse(file, bytes));
    }

    @Override
    public int[] encode(String text, boolean addBos) {
        List<Integer> ids = new ArrayList<>();
        if (addBos && bos != NONE) ids.add(bos);
        String normalized = normalize(text);
        if (!normalized.isEmpty()) segment(normalized, ids);
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public Decoder newDecoder() {
        return new TextDecoder(spelling);
    }

    @Override
    public int bos() {
        return bos;
    }

    @Override
    public int eos() {
        return eos;
    }

    @Override
    public int vocabSize() {
        return pieces.size();
    }

    @Override
    public String piece(int id) {
        if (id < 0 || id >= pieces.size()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + pieces.size() + " ids");
        }
        return pieces.get(id).text();
    }

    /** SentencePiece's identity normalizer with its whitespace options; empty text stays empty (no dummy prefix). */
    private String normalize(String text) {
        String t = removeExtraWhitespaces ? collapseSpaces(text) : text;
        if (t.isEmpty()) return t;
        t = t.replace(" ", space);
        return addDummyPrefix ? space + t : t;
    }

    private static String collapseSpaces(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean pendingSpace = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ') {
                pendingSpace = out.length() > 0;
            } else {
                if (pendingSpace) out.append(' ');
                pendingSpace = false;
                out.append(c);
            }
        }
        return out.toString();
    }

    private void segment(String normalized, List<Integer> ids) {
        List<String> symbols = new ArrayList<>();
        boolean[] frozen = new boolean[normalized.length()];
        for (int i = 0; i < normalized.length(); ) {
            String user = userDefined.isEmpty() ? null : userDefined.longestAt(normalized, i);
            frozen[symbols.size()] = user != null;
            String symbol = user != null ? user : normalized.substring(i, i + Character.charCount(normalized.codePointAt(i)));
            symbols.add(symbol);
            i += symbol.length();
        }
        // An unused piece may be a step of a merge but never an output: remember which pair each one came from.
        Map<String, String[]> unusedSplits = new HashMap<>();
        String[] merged = PairMerger.merge(symbols.toArray(new String[0]), Arrays.copyOf(frozen, symbols.size()), (left, right) -> {
            Integer id = segmentable.get(left + right);
            if (id == null) return PairMerger.NO_MERGE;
            if (pieces.get(id).type() == Type.UNUSED) unusedSplits.put(left + right, new String[] {left, right});
            return pieces.get(id).score();
        });
        boolean previousUnknown = false;
        for (String symbol : merged) {
            if (symbol != null) previousUnknown = emit(symbol, unusedSplits, ids, previousUnknown);
        }
    }

    /** Appends the ids of one merged symbol; returns whether it ended in an unknown id. */
    private boolean emit(String symbol, Map<String, String[]> unusedSplits, List<Integer> ids, boolean previousUnknown) {
        Integer id = segmentable.get(symbol);
        if (id != null && pieces.get(id).type() == Type.UNUSED && unusedSplits.containsKey(symbol)) {
            String[] pair = unusedSplits.get(symbol);
            return emit(pair[1], unusedSplits, ids, emit(pair[0], unusedSplits, ids, previousUnknown));
        }
        if (id != null) {
            ids.add(id);
            return false;
        }
        if (byteIds != null) {
            for (byte b : symbol.getBytes(UTF_8)) ids.add(byteIds[b & 0xFF]);
            return false;
        }
        if (!previousUnknown) ids.add(unk);
        return true;
    }

    private void checkSupported(SentencePieceModel model) {
        if (pieces.isEmpty()) throw invalid("holds no SentencePiece pieces (is it a tokenizer.model at all?)");
        if (model.modelType() != SentencePieceModel.BPE) {
            String kind = switch (model.modelType()) {
                case 1 -> "a unigram";
                case 3 -> "a word";
                case 4 -> "a char";
                default -> "an unknown (model_type " + model.modelType() + ")";
            };
            throw invalid(kind + " SentencePiece model; only BPE models (the LLaMA kind) are supported");
        }
        if (model.treatWhitespaceAsSuffix()) throw invalid("the SentencePiece model uses treat_whitespace_as_suffix, which is not supported");
        if (model.charsMapBytes() > 0) {
            throw invalid("the SentencePiece model has precompiled normalization rules (normalizer \"" + model.normalizerName() + "\", "
                    + model.charsMapBytes() + " bytes); only the identity normalizer (the LLaMA kind) is supported");
        }
    }

    private int controlId(Map<String, Integer> reserved, String name) {
        Integer id = reserved.get(name);
        return id != null && pieces.get(id).type() == Type.CONTROL ? id : NONE;
    }

    private int[] byteIds(Map<String, Integer> reserved) {
        int[] ids = new int[256];
        for (int b = 0; b < 256; b++) {
            String name = byteName(b);
            Integer id = reserved.get(name);
            if (id == null || pieces.get(id).type() != Type.BYTE) {
                throw invalid("the SentencePiece model has byte_fallback on but no byte piece " + name);
            }
            ids[b] = id;
        }
        return ids;
    }

    private static String byteName(int b) {
        return "<0x" + HexFormat.of().withUpperCase().toHexDigits((byte) b) + ">";
    }

    private Spelling spelling(SentencePieceModel model) {
        byte[][] bytes = new byte[pieces.size()][];
        BitSet carriers = new BitSet(pieces.size());
        // SentencePiece drops the leading space of the first piece whenever either option may have put it there.
        boolean dummySpace = model.addDummyPrefix() || model.removeExtraWhitespaces();
        for (int id = 0; id < bytes.length; id++) {
            Piece p = pieces.get(id);
            bytes[id] = switch (p.type()) {
                case CONTROL -> new byte[0];
                case UNKNOWN -> model.unkSurface().getBytes(UTF_8);
                case BYTE -> new byte[] {(byte) HexFormat.fromHexDigits(p.text(), 3, 5)};
                default -> p.text().replace(SPACE_MARK, " ").getBytes(UTF_8);
            };
            if (dummySpace && p.type() != Type.CONTROL && p.type() != Type.UNKNOWN && p.type() != Type.BYTE) {
                carriers.set(id);
            }
        }
        return new Spelling(bytes, carriers, bos);
    }

    private InvalidFileException invalid(String problem) {
        return new InvalidFileException(file, problem);
    }
}
