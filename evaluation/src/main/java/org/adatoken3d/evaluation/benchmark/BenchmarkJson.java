package org.adatoken3d.evaluation.benchmark;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.adatoken3d.weights.InvalidFileException;

/**
 * Reads benchmark JSON with the bounds every reader shares, so a hostile or broken file ends in one
 * {@link InvalidFileException} line instead of an out-of-memory error or a parser trace.
 *
 * <p>The bounds sit well above the real files (ScanQA train: 25,563 questions in 11 MB; SQA3D train questions:
 * 26,623 in 19 MB; the longest SQA3D situation is under 400 characters).
 */
final class BenchmarkJson {
    /** Largest file read whole. */
    static final long MAX_FILE_BYTES = 512L << 20;
    /** Most entries (questions, annotations, predictions) in one file. */
    static final int MAX_ENTRIES = 2_000_000;
    /** Longest question, situation, answer, prompt or generated text. */
    static final int MAX_TEXT_CHARS = 16_384;
    /** Longest id (question_id, scene_id, video, answer_id, model_id). */
    static final int MAX_ID_CHARS = 256;
    /** Most items in one list field (answers, object ids, object names). */
    static final int MAX_LIST_ITEMS = 4_096;

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength(1 << 20)
                            .maxNestingDepth(64)
                            .maxNumberLength(64)
                            .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private BenchmarkJson() {}

    static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The whole file, refused above {@link #MAX_FILE_BYTES}. */
    static byte[] readFile(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new InvalidFileException(file, "is " + size + " bytes, more than the " + MAX_FILE_BYTES + " a benchmark file may have");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidFileException(file, "does not exist");
        } catch (IOException e) {
            throw new InvalidFileException(file, "cannot be read: " + e.getMessage(), e);
        }
    }

    /** One JSON document: the whole of {@code data}. */
    static JsonNode parse(Path file, byte[] data) {
        if (data.length > MAX_FILE_BYTES) throw new InvalidFileException(file, "is larger than " + MAX_FILE_BYTES + " bytes");
        try {
            JsonNode root = MAPPER.readTree(data);
            if (root == null || root.isMissingNode()) throw new InvalidFileException(file, "is empty, expected JSON");
            return root;
        } catch (JsonProcessingException e) {
            throw new InvalidFileException(file, "is not valid JSON: " + oneLine(e), e);
        } catch (IOException e) {
            throw new InvalidFileException(file, "cannot be parsed: " + e.getMessage(), e);
        }
    }

    /** The top-level array of a list-shaped file, with its length bounded. */
    static JsonNode topLevelArray(Path file, JsonNode root, String what) {
        if (!root.isArray()) throw new InvalidFileException(file, "must be a JSON list of " + what + ", found " + kind(root));
        checkEntryCount(file, root.size());
        return root;
    }

    /** The array under {@code key} of an object-shaped file (SQA3D wraps its lists this way). */
    static JsonNode wrappedArray(Path file, JsonNode root, String key) {
        if (!root.isObject()) throw new InvalidFileException(file, "must be a JSON object with a \"" + key + "\" list, found " + kind(root));
        JsonNode list = root.get(key);
        if (list == null) throw new InvalidFileException(file, "has no \"" + key + "\" list");
        if (!list.isArray()) throw new InvalidFileException(file, "field \"" + key + "\" must be a list, found " + kind(list));
        checkEntryCount(file, list.size());
        return list;
    }

    static void checkEntryCount(Path file, long count) {
        if (count > MAX_ENTRIES) throw new InvalidFileException(file, "has " + count + " entries, more than the " + MAX_ENTRIES + " allowed");
    }

    static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "nothing";
        };
    }

    /** Jackson's message without its source excerpt and location lines. */
    static String oneLine(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message == null) message = e.getClass().getSimpleName();
        message = message.replaceAll("\\s+", " ").strip();
        if (message.length() > 200) message = message.substring(0, 200) + "...";
        if (e.getLocation() != null) message += " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        return message;
    }
}
