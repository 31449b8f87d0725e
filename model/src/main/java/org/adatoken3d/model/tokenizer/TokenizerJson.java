package org.adatoken3d.model.tokenizer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.adatoken3d.model.tokenizer.ByteLevelBpeTokenizer.AddedToken;
import org.adatoken3d.model.tokenizer.ByteLevelBpeTokenizer.ByteLevel;
import org.adatoken3d.model.tokenizer.ByteLevelBpeTokenizer.PreTokenizerStep;
import org.adatoken3d.model.tokenizer.ByteLevelBpeTokenizer.Split;
import org.adatoken3d.weights.InvalidFileException;

/**
 * Reads a Hugging Face {@code tokenizer.json} holding a byte-level BPE model and checks everything encoding relies
 * on: every merge's parts and result are vocabulary entries, all 256 byte stand-ins are in the vocabulary, ids are
 * in a range proportional to the file (so no id makes a huge table), and only the normalizers and pre-tokenizers
 * that {@link ByteLevelBpeTokenizer} implements are present. Anything else is an {@link InvalidFileException}
 * naming the JSON path.
 */
final class TokenizerJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** End-of-text tokens looked for when no tokenizer_config.json says which one it is. */
    private static final List<String> USUAL_EOS = List.of("<|endoftext|>", "</s>", "<|end_of_text|>");

    /** Qwen2's (and Qwen2.5's) Split regex, as its tokenizer.json spells it: one digit at a time. */
    static final String QWEN2_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Llama-3's: the same but digits in groups of up to three. */
    static final String LLAMA3_PATTERN = QWEN2_PATTERN.replace("\\p{N}|", "\\p{N}{1,3}|");

    /**
     * The Split regexes this engine accepts. Java's regex engine matches these as the tokenizers library's does
     * (given Unicode {@code \\s}); an arbitrary regex from a file might split differently, or run for ever.
     */
    private static final Map<String, Pattern> KNOWN_SPLIT_PATTERNS = Stream.of(
                    QWEN2_PATTERN, LLAMA3_PATTERN, ByteLevelBpeTokenizer.GPT2_PATTERN)
            .collect(Collectors.toUnmodifiableMap(regex -> regex, regex -> Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS)));

    private final Path file;

    private TokenizerJson(Path file) {
        this.file = file;
    }

    static ByteLevelBpeTokenizer read(Path file, byte[] json, Path configFile, byte[] configJson) {
        return new TokenizerJson(file).read(json, configFile, configJson);
    }

    private ByteLevelBpeTokenizer read(byte[] json, Path configFile, byte[] configJson) {
        JsonNode root = object(parse(file, json), "the top level");
        JsonNode model = object(root.get("model"), "model");
        String type = optionalText(model, "type", "model.type");
        if (type != null && !type.equals("BPE")) {
            throw invalid("model.type is \"" + type + "\"; only BPE models (byte-level, the GPT-2/Qwen2 kind) are supported");
        }
        checkPlainBpe(model);
        Map<String, Integer> vocab = vocab(object(model.get("vocab"), "model.vocab"));
        List<AddedToken> addedTokens = addedTokens(root.get("added_tokens"));
        int entries = vocab.size() + addedTokens.size();
        // Real files number their tokens 0..n-1; allowing gaps up to the entry count keeps the id table bounded.
        long idLimit = 2L * entries + 1024;
        int vocabSize = 0;
        for (var e : vocab.entrySet()) vocabSize = Math.max(vocabSize, checkId(e.getValue(), idLimit, "model.vocab[\"" + e.getKey() + "\"]") + 1);
        for (AddedToken t : addedTokens) vocabSize = Math.max(vocabSize, checkId(t.id(), idLimit, "added_tokens id " + t.id()) + 1);
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf(ByteLevelBpeTokenizer.BYTE_TO_CHAR[b]);
            if (!vocab.containsKey(s)) {
                throw invalid("model.vocab lacks \"" + s + "\", the byte-level stand-in for byte 0x" + String.format("%02X", b)
                        + "; a byte-level BPE vocabulary must hold all 256");
            }
        }
        Map<Long, Integer> ranks = merges(model.get("merges"), vocab);
        List<Normalizer.Form> normalizers = new ArrayList<>();
        normalizer(root.get("normalizer"), "normalizer", normalizers);
        List<PreTokenizerStep> preTokenizer = new ArrayList<>();
        preTokenizer(root.get("pre_tokenizer"), "pre_tokenizer", preTokenizer);
        if (preTokenizer.isEmpty() || !(preTokenizer.getLast() instanceof ByteLevel)) {
            throw invalid("pre_tokenizer does not end in a ByteLevel step; only byte-level BPE (the GPT-2/Qwen2 kind) is supported");
        }
        Map<String, Integer> ids = new HashMap<>(vocab);
        for (AddedToken t : addedTokens) ids.put(t.content(), t.id());
        int bos = Tokenizer.NONE;
        int eos = Tokenizer.NONE;
        JsonNode config = configJson == null ? null : object(parse(configFile, configJson), "tokenizer_config.json");
        if (config != null) {
            bos = configToken(config, "bos_token", ids, configFile);
            eos = configToken(config, "eos_token", ids, configFile);
        }
        if (bos == Tokenizer.NONE) bos = templateBos(root.get("post_processor"), ids);
        if (eos == Tokenizer.NONE) {
            for (String name : USUAL_EOS) {
                if (eos == Tokenizer.NONE && addedTokens.stream().anyMatch(t -> t.special() && t.content().equals(name))) eos = ids.get(name);
            }
        }
        boolean ignoreMerges = bool(model, "ignore_merges", "model.ignore_merges");
        return new ByteLevelBpeTokenizer(vocab, ranks, addedTokens, preTokenizer, normalizers, ignoreMerges, vocabSize, bos, eos);
    }

    private static JsonNode parse(Path source, byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (JacksonException e) {
            throw new InvalidFileException(source, "not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new InvalidFileException(source, "not readable as JSON: " + e.getMessage());
        }
    }

    /** Options of the BPE model that change its output and that this engine does not implement. */
    private void checkPlainBpe(JsonNode model) {
        JsonNode dropout = model.get("dropout");
        if (dropout != null && !dropout.isNull() && !(dropout.isNumber() && dropout.asDouble() == 0)) {
            throw invalid("model.dropout is set; BPE dropout randomizes encoding and is not supported (set it to null)");
        }
        for (String key : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            String value = optionalText(model, key, "model." + key);
            if (value != null && !value.isEmpty()) throw invalid("model." + key + " is set, which byte-level BPE does not use");
        }
        if (bool(model, "byte_fallback", "model.byte_fallback")) {
            throw invalid("model.byte_fallback is on, which byte-level BPE does not use (a SentencePiece-style vocabulary "
                    + "should be loaded from its tokenizer.model)");
        }
    }

    private Map<String, Integer> vocab(JsonNode node) {
        Map<String, Integer> vocab = new HashMap<>();
        Map<Integer, String> byId = new HashMap<>();
        for (var e : node.properties()) {
            JsonNode id = e.getValue();
            if (!id.isInt()) throw invalid("model.vocab[\"" + e.getKey() + "\"] is " + id + ", expected an integer id");
            String earlier = byId.putIfAbsent(id.intValue(), e.getKey());
            if (earlier != null) throw invalid("model.vocab gives id " + id.intValue() + " to both \"" + earlier + "\" and \"" + e.getKey() + "\"");
            vocab.put(e.getKey(), id.intValue());
        }
        if (vocab.isEmpty()) throw invalid("model.vocab is empty");
        return vocab;
    }

    private int checkId(int id, long limit, String where) {
        if (id < 0 || id >= limit) {
            throw invalid(where + " is " + id + ", outside the range 0.." + (limit - 1) + " that the file's "
                    + "number of entries allows");
        }
        return id;
    }

    private List<AddedToken> addedTokens(JsonNode node) {
        List<AddedToken> tokens = new ArrayList<>();
        if (node == null || node.isNull()) return tokens;
        if (!node.isArray()) throw invalid("added_tokens is not an array");
        for (int i = 0; i < node.size(); i++) {
            String where = "added_tokens[" + i + "]";
            JsonNode t = object(node.get(i), where);
            JsonNode id = t.get("id");
            if (id == null || !id.isInt()) throw invalid(where + ".id is missing or not an integer");
            String content = optionalText(t, "content", where + ".content");
            if (content == null || content.isEmpty()) throw invalid(where + ".content is missing or empty");
            tokens.add(new AddedToken(id.intValue(), content, bool(t, "special", where + ".special"),
                    bool(t, "lstrip", where + ".lstrip"), bool(t, "rstrip", where + ".rstrip")));
        }
        return tokens;
    }

    private Map<Long, Integer> merges(JsonNode node, Map<String, Integer> vocab) {
        if (node == null || !node.isArray()) throw invalid("model.merges is missing or not an array");
        Map<Long, Integer> ranks = new HashMap<>();
        for (int rank = 0; rank < node.size(); rank++) {
            JsonNode m = node.get(rank);
            String where = "model.merges[" + rank + "]";
            String left;
            String right;
            if (m.isTextual()) {
                // The older form "left right": byte-level entries never hold a plain space, so one space separates.
                String[] parts = m.textValue().split(" ", -1);
                if (parts.length != 2) throw invalid(where + " is \"" + m.textValue() + "\", expected two entries separated by one space");
                left = parts[0];
                right = parts[1];
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                left = m.get(0).textValue();
                right = m.get(1).textValue();
            } else {
                throw invalid(where + " is neither \"left right\" nor [\"left\", \"right\"]");
            }
            Integer l = vocab.get(left);
            Integer r = vocab.get(right);
            if (l == null || r == null || !vocab.containsKey(left + right)) {
                String missing = l == null ? left : r == null ? right : left + right;
                throw invalid(where + " (\"" + left + "\" + \"" + right + "\") needs \"" + missing + "\", which is not in model.vocab");
            }
            // As in the tokenizers library, a repeated merge keeps its last rank.
            ranks.put(ByteLevelBpeTokenizer.pair(l, r), rank);
        }
        return ranks;
    }

    private void normalizer(JsonNode node, String where, List<Normalizer.Form> out) {
        if (node == null || node.isNull()) return;
        String type = optionalText(object(node, where), "type", where + ".type");
        switch (type == null ? "" : type) {
            case "NFC" -> out.add(Normalizer.Form.NFC);
            case "NFD" -> out.add(Normalizer.Form.NFD);
            case "NFKC" -> out.add(Normalizer.Form.NFKC);
            case "NFKD" -> out.add(Normalizer.Form.NFKD);
            case "Sequence" -> {
                JsonNode list = node.get("normalizers");
                if (list == null || !list.isArray()) throw invalid(where + ".normalizers is missing or not an array");
                for (int i = 0; i < list.size(); i++) normalizer(list.get(i), where + ".normalizers[" + i + "]", out);
            }
            default -> throw invalid(where + " is of type \"" + type + "\"; only NFC, NFD, NFKC, NFKD and Sequence are supported");
        }
    }

    private void preTokenizer(JsonNode node, String where, List<PreTokenizerStep> out) {
        if (node == null || node.isNull()) return;
        String type = optionalText(object(node, where), "type", where + ".type");
        switch (type == null ? "" : type) {
            case "Sequence" -> {
                JsonNode list = node.get("pretokenizers");
                if (list == null || !list.isArray()) throw invalid(where + ".pretokenizers is missing or not an array");
                for (int i = 0; i < list.size(); i++) preTokenizer(list.get(i), where + ".pretokenizers[" + i + "]", out);
            }
            case "Split" -> out.add(split(node, where));
            case "ByteLevel" -> {
                // use_regex defaults to true in the tokenizers library.
                JsonNode useRegex = node.get("use_regex");
                out.add(new ByteLevel(bool(node, "add_prefix_space", where + ".add_prefix_space"),
                        useRegex == null || useRegex.isNull() || bool(node, "use_regex", where + ".use_regex")));
            }
            default -> throw invalid(where + " is of type \"" + type + "\"; only Split, ByteLevel and Sequence are supported");
        }
    }

    private Split split(JsonNode node, String where) {
        String behavior = optionalText(node, "behavior", where + ".behavior");
        if (!"Isolated".equals(behavior)) throw invalid(where + ".behavior is \"" + behavior + "\"; only \"Isolated\" is supported");
        if (bool(node, "invert", where + ".invert")) throw invalid(where + ".invert is true, which is not supported");
        JsonNode pattern = object(node.get("pattern"), where + ".pattern");
        String regex = optionalText(pattern, "Regex", where + ".pattern.Regex");
        String literal = optionalText(pattern, "String", where + ".pattern.String");
        if (regex == null && literal == null) throw invalid(where + ".pattern has neither Regex nor String");
        if (regex == null) return new Split(Pattern.compile(Pattern.quote(literal)));
        Pattern known = KNOWN_SPLIT_PATTERNS.get(regex);
        if (known == null) {
            // Compiling the file's own regex would risk a split that differs from the tokenizers library's regex
            // engine, or one that runs for ever on some text; the known ones are checked.
            throw invalid(where + ".pattern.Regex is not a pre-tokenizer regex this engine knows (those of Qwen2, "
                    + "Llama-3 and GPT-2): " + regex);
        }
        return new Split(known);
    }

    /** The BOS a TemplateProcessing post-processor puts first, or NONE. */
    private static int templateBos(JsonNode node, Map<String, Integer> ids) {
        if (node == null || !node.isObject()) return Tokenizer.NONE;
        if ("Sequence".equals(node.path("type").asText())) {
            for (JsonNode p : node.path("processors")) {
                int bos = templateBos(p, ids);
                if (bos != Tokenizer.NONE) return bos;
            }
            return Tokenizer.NONE;
        }
        if (!"TemplateProcessing".equals(node.path("type").asText())) return Tokenizer.NONE;
        JsonNode first = node.path("single").path(0).path("SpecialToken").path("id");
        Integer id = first.isTextual() ? ids.get(first.textValue()) : null;
        return id == null ? Tokenizer.NONE : id;
    }

    /** A token named in tokenizer_config.json: a string, an object with "content", or null. */
    private static int configToken(JsonNode config, String key, Map<String, Integer> ids, Path configFile) {
        JsonNode v = config.get(key);
        if (v != null && v.isObject()) v = v.get("content");
        if (v == null || v.isNull()) return Tokenizer.NONE;
        if (!v.isTextual()) throw new InvalidFileException(configFile, key + " is neither a string nor an object with \"content\"");
        Integer id = ids.get(v.textValue());
        if (id == null) throw new InvalidFileException(configFile, key + " \"" + v.textValue() + "\" is not a token of tokenizer.json");
        return id;
    }

    private JsonNode object(JsonNode node, String where) {
        if (node == null || !node.isObject()) throw invalid(where + " is missing or not a JSON object");
        return node;
    }

    private String optionalText(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw invalid(where + " is " + v.getNodeType().toString().toLowerCase() + ", expected a string");
        return v.textValue();
    }

    private boolean bool(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return false;
        if (!v.isBoolean()) throw invalid(where + " is not true or false");
        return v.booleanValue();
    }

    private InvalidFileException invalid(String problem) {
        return new InvalidFileException(file, problem);
    }
}
