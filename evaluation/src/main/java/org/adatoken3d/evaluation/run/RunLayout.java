package org.adatoken3d.evaluation.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adatoken3d.evaluation.benchmark.Prediction;
import org.adatoken3d.evaluation.benchmark.PredictionFile;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.weights.AtomicFiles;
import org.adatoken3d.weights.InvalidFileException;

/**
 * A run's output folder. Work is committed per scene and policy, each part a whole file under a name that depends
 * only on the work ({@code parts/<policy>/<scene_id>.jsonl}), so a scene answered twice (a retried or speculative
 * task) replaces its part with the same rows instead of adding any, and a scene whose parts all exist is done: a
 * rerun skips it.
 *
 * <pre>
 * run.json                        the settings; a rerun must match them
 * parts/&lt;policy&gt;/&lt;scene_id&gt;.jsonl  committed work (LLaVA-3D prediction lines)
 * predictions/&lt;policy&gt;.jsonl      every question once, in the question file's order (what LLaVA-3D's evaluators read)
 * summary.json                    metrics per policy, tokens kept, FLOPs, time
 * </pre>
 */
public final class RunLayout {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;

    private RunLayout(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public static RunLayout at(Path root) {
        return new RunLayout(root);
    }

    public Path root() {
        return root;
    }

    /** A policy as a file name: what is not a letter, digit, '.', '=', '_' or '-' becomes '_'. */
    public static String slug(String policy) {
        return policy.strip().replaceAll("[^A-Za-z0-9.=_-]", "_");
    }

    /** Writes {@code run.json}, or checks that the one there (an earlier run into this folder) says the same. */
    public void prepare(ObjectNode settings) {
        Path file = root.resolve("run.json");
        if (Files.exists(file)) {
            JsonNode earlier, now;
            try {
                earlier = JSON.readTree(file.toFile());
                // Compared as read back, so that a number's Java type (int or long) does not count.
                now = JSON.readTree(bytes(settings));
            } catch (IOException e) {
                throw new InvalidFileException(file, "cannot be read: " + e.getMessage(), e);
            }
            if (!now.equals(earlier)) {
                throw new EngineArgumentException("out", "holds a run with other settings (" + file + "); give another folder, or remove it to start over");
            }
            return;
        }
        writeFile(file, bytes(settings));
    }

    public Path part(String policy, String sceneId) {
        return root.resolve("parts").resolve(slug(policy)).resolve(sceneId + ".jsonl");
    }

    /** True when every policy's part of this scene is committed. */
    public boolean isDone(String sceneId, List<String> policies) {
        for (String p : policies) {
            if (!Files.isRegularFile(part(p, sceneId))) return false;
        }
        return true;
    }

    /** Commits one scene's answers, a whole file per policy. */
    public void commit(String sceneId, Map<String, List<Prediction>> byPolicy) {
        for (Map.Entry<String, List<Prediction>> e : byPolicy.entrySet()) {
            writeFile(part(e.getKey(), sceneId), PredictionFile.format(e.getValue()));
        }
    }

    /**
     * Every committed prediction, per policy in the questions' order; fails unless each question has exactly one
     * prediction under each policy and every part holds only its scene's questions.
     */
    public Map<String, List<Prediction>> collect(QuestionSource source, List<String> policies) {
        Map<String, List<BenchmarkQuestion>> byScene = source.byScene();
        Map<String, List<Prediction>> out = new LinkedHashMap<>();
        for (String policy : policies) {
            Map<String, Prediction> byId = new HashMap<>();
            for (Map.Entry<String, List<BenchmarkQuestion>> scene : byScene.entrySet()) {
                Path file = part(policy, scene.getKey());
                if (!Files.isRegularFile(file)) throw new InvalidFileException(file, "is missing: scene " + scene.getKey() + " was not answered");
                Map<String, Prediction> rows = new HashMap<>();
                for (Prediction p : PredictionFile.read(file)) rows.put(p.questionId().value(), p);
                for (BenchmarkQuestion q : scene.getValue()) {
                    Prediction p = rows.remove(q.questionId().value());
                    if (p == null) throw new InvalidFileException(file, "has no answer to question_id " + q.questionId());
                    byId.put(q.questionId().value(), p);
                }
                if (!rows.isEmpty()) {
                    throw new InvalidFileException(file, "answers question_id " + rows.keySet().iterator().next() + ", which is not a question about "
                            + scene.getKey() + " in " + source.description());
                }
            }
            List<Prediction> ordered = new ArrayList<>(source.questions().size());
            for (BenchmarkQuestion q : source.questions()) ordered.add(byId.get(q.questionId().value()));
            out.put(policy, ordered);
        }
        return out;
    }

    public Path predictions(String policy) {
        return root.resolve("predictions").resolve(slug(policy) + ".jsonl");
    }

    /** Writes each policy's merged prediction file. */
    public void writePredictions(Map<String, List<Prediction>> byPolicy) {
        for (Map.Entry<String, List<Prediction>> e : byPolicy.entrySet()) {
            try {
                PredictionFile.write(predictions(e.getKey()), e.getValue());
            } catch (IOException ex) {
                throw new UncheckedIOException(predictions(e.getKey()) + ": cannot write: " + ex.getMessage(), ex);
            }
        }
    }

    public Path summary() {
        return root.resolve("summary.json");
    }

    public void writeSummary(JsonNode summary) {
        writeFile(summary(), bytes(summary));
    }

    static byte[] bytes(JsonNode node) {
        try {
            return (JSON.writeValueAsString(node) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + node, e);
        }
    }

    /** Replaces {@code file} with {@code bytes} so that a reader sees the old file or the whole new one. */
    static void writeFile(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicFiles.write(file, bytes);
        } catch (IOException e) {
            String where = file.toAbsolutePath().toString();
            // AtomicFiles names the file already; other IOExceptions carry only a path or a reason.
            throw new UncheckedIOException(e.getMessage() != null && e.getMessage().startsWith(where) ? e.getMessage()
                    : where + ": cannot write (" + e.getMessage() + ")", e);
        }
    }
}
