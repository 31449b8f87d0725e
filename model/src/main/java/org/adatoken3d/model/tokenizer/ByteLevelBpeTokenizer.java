package org.adatoken3d.model.tokenizer;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hugging Face {@code tokenizer.json} byte-level BPE, the kind Qwen2 (and GPT-2) use. Encoding, as the
 * {@code tokenizers} library does it:
 *
 * <ol>
 *   <li>Cut the added tokens ({@code <|endoftext|>}, {@code <|im_start|>}, ...) out of the text first, the longest
 *       one at the leftmost place; they become their own ids.
 *   <li>Normalize the rest (Qwen2: NFC) and split it into words with the pre-tokenizer's regex; every match and
 *       every gap between matches is a word.
 *   <li>Write each word's UTF-8 bytes as GPT-2's printable stand-ins for bytes ({@code ' '} is {@code Ġ}, {@code
 *       '\n'} is {@code Ċ}), then merge the adjacent pair with the lowest merge rank, the leftmost among equals,
 *       until no listed merge applies; the remaining symbols are vocabulary entries.
 * </ol>
 *
 * <p>There is no dummy prefix and no leading-space rule when decoding. Special added tokens decode to nothing,
 * other added tokens to their text. BOS and EOS come from {@code tokenizer_config.json} beside the file when there
 * is one; Qwen2 has no BOS, so {@code encode(text, true)} adds none.
 */
public final class ByteLevelBpeTokenizer implements Tokenizer {
    /** The pre-tokenizer regex of GPT-2, which a {@code ByteLevel} pre-tokenizer with {@code use_regex} applies. */
    static final String GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** A token listed under {@code added_tokens}. */
    record AddedToken(int id, String content, boolean special, boolean lstrip, boolean rstrip) {}

    /** One step of the pre-tokenizer, in file order. */
    sealed interface PreTokenizerStep {}

    /** Splits every word into the regex's matches and the gaps between them (Hugging Face's "Isolated"). */
    record Split(Pattern pattern) implements PreTokenizerStep {}

    /** Optionally puts a space before each word, then optionally splits with {@link #GPT2_PATTERN}. */
    record ByteLevel(boolean addPrefixSpace, boolean useRegex) implements PreTokenizerStep {}

    private static final Pattern GPT2 = Pattern.compile(GPT2_PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

    /** GPT-2's table: byte value to the printable character that stands for it in vocabulary entries. */
    static final char[] BYTE_TO_CHAR = byteToChar();

    private final Map<String, Integer> vocab;
    /** (left id, right id) packed into a long, to the merge's rank: lower merges first. */
    private final Map<Long, Integer> mergeRanks;
    private final Map<String, AddedToken> added = new HashMap<>();
    private final PrefixMatcher addedMatcher;
    private final List<PreTokenizerStep> preTokenizer;
    private final List<Normalizer.Form> normalizers;
    private final boolean ignoreMerges;
    private final String[] pieces;
    private final int bos;
    private final int eos;
    private final Spelling spelling;

    ByteLevelBpeTokenizer(
            Map<String, Integer> vocab,
            Map<Long, Integer> mergeRanks,
            List<AddedToken> addedTokens,
            List<PreTokenizerStep> preTokenizer,
            List<Normalizer.Form> normalizers,
            boolean ignoreMerges,
            int vocabSize,
            int bos,
            int eos) {
        this.vocab = vocab;
        this.mergeRanks = mergeRanks;
        this.preTokenizer = List.copyOf(preTokenizer);
        this.normalizers = List.copyOf(normalizers);
        this.ignoreMerges = ignoreMerges;
        this.bos = bos;
        this.eos = eos;
        this.pieces = new String[vocabSize];
        byte[][] bytes = new byte[vocabSize][];
        vocab.forEach((token, id) -> {
            pieces[id] = token;
            bytes[id] = toBytes(token);
        });
        for (AddedToken t : addedTokens) {
            added.put(t.content(), t);
            pieces[t.id()] = t.content();
            bytes[t.id()] = t.special() ? new byte[0] : t.content().getBytes(UTF_8);
        }
        for (int id = 0; id < vocabSize; id++) {
            // Ids no entry names (gaps in the numbering) spell nothing.
            if (pieces[id] == null) {
                pieces[id] = "";
                bytes[id] = new byte[0];
            }
        }
        this.addedMatcher = new PrefixMatcher(added.keySet());
        this.spelling = new Spelling(bytes, new BitSet(), bos);
    }

    /** Reads a {@code tokenizer.json}, and the {@code tokenizer_config.json} beside it when there is one. */
    public static ByteLevelBpeTokenizer load(Path file) {
        Path config = file.resolveSibling("tokenizer_config.json");
        byte[] configBytes = Files.isRegularFile(config) ? Tokenizers.readFile(config) : null;
        return TokenizerJson.read(file, Tokenizers.readFile(file), config, configBytes);
    }

    /**
     * Parses the bytes of a {@code tokenizer.json} and, when not null, of its {@code tokenizer_config.json};
     * {@code file} (may be null) names the source in errors.
     */
    public static ByteLevelBpeTokenizer parse(Path file, byte[] json, byte[] configJson) {
        return TokenizerJson.read(file, json, null, configJson);
    }

    @Override
    public int[] encode(String text, boolean addBos) {
        List<Integer> ids = new ArrayList<>();
        if (addBos && bos != NONE) ids.add(bos);
        int segmentStart = 0;
        boolean skipLeadingSpace = false;
        for (int i = 0; i < text.length(); ) {
            String match = addedMatcher.isEmpty() ? null : addedMatcher.longestAt(text, i);
            if (match == null) {
                i++;
                continue;
            }
            AddedToken token = added.get(match);
            String before = text.substring(segmentStart, i);
            if (skipLeadingSpace) before = before.stripLeading();
            if (token.lstrip()) before = before.stripTrailing();
            encodeSegment(before, ids);
            ids.add(token.id());
            i += match.length();
            segmentStart = i;
            skipLeadingSpace = token.rstrip();
        }
        String rest = text.substring(segmentStart);
        encodeSegment(skipLeadingSpace ? rest.stripLeading() : rest, ids);
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
        return pieces.length;
    }

    @Override
    public String piece(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + pieces.length + " ids");
        }
        return pieces[id];
    }

    /** The words the pre-tokenizer makes of a text that holds no added token (after normalization). */
    List<String> preTokenize(String text) {
        List<String> words = new ArrayList<>();
        words.add(text);
        for (PreTokenizerStep step : preTokenizer) {
            List<String> next = new ArrayList<>();
            for (String word : words) {
                switch (step) {
                    case Split split -> splitIsolated(word, split.pattern(), next);
                    case ByteLevel level -> {
                        String w = level.addPrefixSpace() && !word.startsWith(" ") ? " " + word : word;
                        if (level.useRegex()) splitIsolated(w, GPT2, next);
                        else next.add(w);
                    }
                }
            }
            words = next;
        }
        words.removeIf(String::isEmpty);
        return words;
    }

    private void encodeSegment(String segment, List<Integer> ids) {
        if (segment.isEmpty()) return;
        String normalized = segment;
        for (Normalizer.Form form : normalizers) normalized = Normalizer.normalize(normalized, form);
        for (String word : preTokenize(normalized)) encodeWord(word, ids);
    }

    private void encodeWord(String word, List<Integer> ids) {
        byte[] utf8 = word.getBytes(UTF_8);
        String[] symbols = new String[utf8.length];
        StringBuilder whole = new StringBuilder(utf8.length);
        for (int i = 0; i < utf8.length; i++) {
            symbols[i] = String.valueOf(BYTE_TO_CHAR[utf8[i] & 0xFF]);
            whole.append(symbols[i]);
        }
        if (ignoreMerges) {
            Integer id = vocab.get(whole.toString());
            if (id != null) {
                ids.add(id);
                return;
            }
        }
        String[] merged = PairMerger.merge(symbols, null, (left, right) -> {
            Integer rank = mergeRanks.get(pair(vocab.get(left), vocab.get(right)));
            return rank == null ? PairMerger.NO_MERGE : -rank;
        });
        for (String symbol : merged) {
            if (symbol != null) ids.add(vocab.get(symbol));
        }
    }

    static long pair(int left, int right) {
        return (long) left << 32 | (right & 0xFFFFFFFFL);
    }

    private static void splitIsolated(String word, Pattern pattern, List<String> out) {
        Matcher m = pattern.matcher(word);
        int end = 0;
        while (m.find()) {
            if (m.end() == m.start()) continue;
            if (m.start() > end) out.add(word.substring(end, m.start()));
            out.add(m.group());
            end = m.end();
        }
        if (end < word.length()) out.add(word.substring(end));
    }

    /** A vocabulary entry's bytes: each stand-in character back to its byte, any other character as UTF-8. */
    private static byte[] toBytes(String token) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(token.length());
        token.codePoints().forEach(cp -> {
            int b = cp < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[cp] : -1;
            if (b >= 0) out.write(b);
            else out.writeBytes(Character.toString(cp).getBytes(UTF_8));
        });
        return out.toByteArray();
    }

    private static final int[] CHAR_TO_BYTE = charToByteTable();

    private static char[] byteToChar() {
        char[] table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char) b : (char) next++;
        }
        return table;
    }

    private static int[] charToByteTable() {
        int[] table = new int[512];
        Arrays.fill(table, -1);
        for (int b = 0; b < 256; b++) table[BYTE_TO_CHAR[b]] = b;
        return table;
    }
}
