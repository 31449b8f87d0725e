package org.adatoken3d.evaluation.qa;

import org.adatoken3d.kernels.EngineArgumentException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedSet;
import org.adatoken3d.weights.FolderPaths;
import org.adatoken3d.weights.InvalidFileException;

/**
 * The questions of a spatial-QA split (JSON, format {@value #FORMAT}; conformance/python/spatialqa/README.md) and
 * the scene file they are about, named by {@code scenes_file} relative to the JSON file (and inside its folder).
 */
public record QuestionSet(Path file, Path scenesFile, List<QaQuestion> questions, List<List<String>> sceneObjects) {
    public static final String FORMAT = "adatoken3d-spatialqa/1";
    /** Question files are a few hundred kilobytes; anything far larger is not one. */
    static final long MAX_FILE_BYTES = 64L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param sceneObjects per scene, its objects as words (e.g. "large red cube at (1.3, 2.5)"), from the file's
     *                     optional {@code scenes} list; empty when the file has none
     */
    public QuestionSet {
        questions = List.copyOf(questions);
        sceneObjects = sceneObjects.stream().map(List::copyOf).toList();
    }

    public static QuestionSet read(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) throw new InvalidFileException(file, "larger than " + (MAX_FILE_BYTES >> 20) + " MiB, too large to be a question file");
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidFileException(file, "no such file");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        return parse(file, bytes);
    }

    static QuestionSet parse(Path file, byte[] bytes) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new InvalidFileException(file, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || !root.isObject()) throw new InvalidFileException(file, "expected a JSON object");
        if (!FORMAT.equals(root.path("format").asText(null))) {
            throw new InvalidFileException(file, "format must be \"" + FORMAT + "\", got " + root.path("format"));
        }
        JsonNode scenes = root.path("scenes_file");
        if (!scenes.isTextual() || scenes.asText().isBlank()) {
            throw new InvalidFileException(file, "scenes_file must name the scene file relative to this one, got " + scenes);
        }
        Path scenesFile = FolderPaths.inside(file.toAbsolutePath().getParent(), scenes.asText(), file, "scenes_file");
        JsonNode list = root.path("questions");
        if (!list.isArray() || list.isEmpty()) throw new InvalidFileException(file, "questions must be a non-empty array");
        List<QaQuestion> questions = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode q = list.get(i);
            JsonNode scene = q.path("scene");
            if (!scene.canConvertToInt() || !scene.isIntegralNumber() || scene.asInt() < 0) {
                throw new InvalidFileException(file, "question " + i + ": scene must be an index >= 0, got " + scene);
            }
            questions.add(new QaQuestion(scene.asInt(), text(file, i, q, "type"), text(file, i, q, "question"), text(file, i, q, "answer")));
        }
        return new QuestionSet(file, scenesFile, questions, sceneObjects(root.path("scenes")));
    }

    /** The optional scene descriptions, read leniently: they only label what the scene file holds. */
    private static List<List<String>> sceneObjects(JsonNode scenes) {
        List<List<String>> out = new ArrayList<>();
        for (JsonNode scene : scenes) {
            List<String> objects = new ArrayList<>();
            for (JsonNode o : scene.path("objects")) {
                JsonNode c = o.path("centre");
                String at = c.isArray() && c.size() == 2 ? String.format(java.util.Locale.ROOT, " at (%.1f, %.1f)", c.get(0).asDouble(), c.get(1).asDouble()) : "";
                objects.add((o.path("size").asText("") + " " + o.path("colour").asText("") + " " + o.path("shape").asText("")).strip() + at);
            }
            out.add(objects);
        }
        return out;
    }

    private static String text(Path file, int i, JsonNode q, String key) {
        JsonNode v = q.path(key);
        if (!v.isTextual() || v.asText().isBlank()) throw new InvalidFileException(file, "question " + i + ": " + key + " must be a non-empty string, got " + v);
        return v.asText();
    }

    /** The question types in order of first appearance. */
    public SequencedSet<String> types() {
        SequencedSet<String> types = new LinkedHashSet<>();
        for (QaQuestion q : questions) types.add(q.type());
        return types;
    }

    /** Reads the scene file these questions name, and checks that every question's scene is in it. */
    public SceneSet readScenes() {
        SceneSet scenes = SceneSet.read(scenesFile());
        checkAgainst(scenes);
        return scenes;
    }

    /** Throws unless every question's scene exists in {@code scenes}. */
    private void checkAgainst(SceneSet scenes) {
        for (int i = 0; i < questions.size(); i++) {
            if (questions.get(i).scene() >= scenes.size()) {
                throw new InvalidFileException(file, "question " + i + " is about scene " + questions.get(i).scene() + ", but "
                        + scenes.file() + " holds " + scenes.size() + " scenes");
            }
        }
    }

    /** The first {@code limit} questions (all of them when {@code limit} is null). */
    public QuestionSet first(Integer limit) {
        if (limit == null || limit >= questions.size()) return this;
        if (limit < 1) throw new EngineArgumentException("limit", "must be >= 1, got " + limit);
        return new QuestionSet(file, scenesFile, questions.subList(0, limit), sceneObjects);
    }
}
