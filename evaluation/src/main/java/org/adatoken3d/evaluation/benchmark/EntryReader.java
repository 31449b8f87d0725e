package org.adatoken3d.evaluation.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.weights.InvalidFileException;

/**
 * Typed access to the fields of one entry of a benchmark file. Every error names the file, the entry's index,
 * its question_id once known, and the field, e.g.
 * {@code ScanQA_v1.0_val.json: entry 12 (question_id val-scene0011-3): field "answers" must be a list of strings}.
 */
final class EntryReader {
    private final Path file;
    private final JsonNode entry;
    private final String position;
    private String questionId;

    /** An entry of a JSON list, counted from 0. */
    EntryReader(Path file, JsonNode entry, int index) {
        this(file, entry, "entry " + index);
    }

    /** {@code position} names the entry in errors, e.g. "entry 3" or "line 7". */
    EntryReader(Path file, JsonNode entry, String position) {
        this.file = file;
        this.entry = entry;
        this.position = position;
        if (!entry.isObject()) throw fail("must be an object, found " + BenchmarkJson.kind(entry));
    }

    /** Reads question_id (a string or an integer) first, so later errors can name it. */
    QuestionId questionId() {
        JsonNode node = entry.get("question_id");
        if (node == null || node.isNull()) throw failField("question_id", "is missing");
        QuestionId id;
        if (node.isTextual()) {
            String text = node.textValue();
            if (text.isEmpty()) throw failField("question_id", "is empty");
            if (text.length() > BenchmarkJson.MAX_ID_CHARS) throw failField("question_id", "is longer than " + BenchmarkJson.MAX_ID_CHARS + " characters");
            id = QuestionId.of(text);
        } else if (node.isIntegralNumber() && node.canConvertToLong()) {
            id = QuestionId.of(node.longValue());
        } else {
            throw failField("question_id", "must be a string or an integer, found " + BenchmarkJson.kind(node));
        }
        questionId = id.value();
        return id;
    }

    String id(String field) {
        return string(field, BenchmarkJson.MAX_ID_CHARS, false);
    }

    String text(String field) {
        return string(field, BenchmarkJson.MAX_TEXT_CHARS, true);
    }

    boolean has(String field) {
        JsonNode node = entry.get(field);
        return node != null && !node.isNull();
    }

    List<String> texts(String field) {
        JsonNode list = list(field);
        List<String> out = new ArrayList<>(list.size());
        for (JsonNode item : list) {
            if (!item.isTextual()) throw failField(field, "must be a list of strings, found " + BenchmarkJson.kind(item) + " in it");
            if (item.textValue().length() > BenchmarkJson.MAX_TEXT_CHARS) throw failField(field, "has an item longer than " + BenchmarkJson.MAX_TEXT_CHARS + " characters");
            out.add(item.textValue());
        }
        return List.copyOf(out);
    }

    List<Integer> ints(String field) {
        JsonNode list = list(field);
        List<Integer> out = new ArrayList<>(list.size());
        for (JsonNode item : list) {
            if (!item.isIntegralNumber() || !item.canConvertToInt()) throw failField(field, "must be a list of integers, found " + BenchmarkJson.kind(item) + " in it");
            out.add(item.intValue());
        }
        return List.copyOf(out);
    }

    /** An object-valued field, or null when absent. */
    JsonNode object(String field) {
        JsonNode node = entry.get(field);
        if (node == null || node.isNull()) return null;
        if (!node.isObject()) throw failField(field, "must be an object, found " + BenchmarkJson.kind(node));
        return node;
    }

    JsonNode raw(String field) {
        return entry.get(field);
    }

    InvalidFileException fail(String problem) {
        return new InvalidFileException(file, where() + problem);
    }

    InvalidFileException failField(String field, String problem) {
        return fail("field \"" + field + "\" " + problem);
    }

    private String where() {
        return position + (questionId == null ? "" : " (question_id " + questionId + ")") + ": ";
    }

    private String string(String field, int maxChars, boolean emptyAllowed) {
        JsonNode node = entry.get(field);
        if (node == null || node.isNull()) throw failField(field, "is missing");
        if (!node.isTextual()) throw failField(field, "must be a string, found " + BenchmarkJson.kind(node));
        String value = node.textValue();
        if (!emptyAllowed && value.isEmpty()) throw failField(field, "is empty");
        if (value.length() > maxChars) throw failField(field, "is longer than " + maxChars + " characters");
        return value;
    }

    private JsonNode list(String field) {
        JsonNode node = entry.get(field);
        if (node == null || node.isNull()) throw failField(field, "is missing");
        if (!node.isArray()) throw failField(field, "must be a list, found " + BenchmarkJson.kind(node));
        if (node.size() > BenchmarkJson.MAX_LIST_ITEMS) throw failField(field, "has " + node.size() + " items, more than " + BenchmarkJson.MAX_LIST_ITEMS);
        return node;
    }
}
