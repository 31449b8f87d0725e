package org.adatoken3d.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.adatoken3d.weights.Checkpoint;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.DecoderConfig;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.LlavaConfig;
import org.adatoken3d.weights.ModelConfig;
import org.adatoken3d.weights.SafetensorsFile;
import org.adatoken3d.weights.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code adatoken3d inspect PATH}: what a checkpoint holds, and whether it agrees with its config.json. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = {"Show a checkpoint's config summary and every tensor.",
                "",
                "Show a checkpoint: its config (architecture, layers, sizes, heads, vocab, parameter count), bytes per"
                    + " dtype, and a table of every tensor with its dtype, shape, size and shard. Exits 1 when the check"
                    + " finds a PROBLEM (a missing or misshapen decoder tensor, or a tensor the config does not account"
                    + " for), 0 when it finds none.",
            "PATH is a model folder (model.safetensors or shards with model.safetensors.index.json, config.json"
                    + " beside them), an index file, or a single .safetensors file."
        })
public final class InspectCommand implements Callable<Integer> {
    /** Made on first use: picocli makes every command object it registers, and initialising Jackson took 0.2 s. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "PATH", description = "Model folder, index file or .safetensors file.")
    Path path;

    @Option(names = "--json", description = "Print one JSON document instead of text, for scripts.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        String problem = null;
        try (Checkpoint checkpoint = Checkpoint.open(path)) {
            Optional<ModelConfig> config = checkpoint.config();
            // A checkpoint that disagrees with its config is shown in full, and the exit status says it failed.
            if (config.isPresent()) {
                try {
                    checkpoint.validate(config.get());
                } catch (InvalidFileException e) {
                    problem = e.getMessage();
                }
            }
            if (json) {
                out.println(Json.MAPPER.writeValueAsString(toJson(checkpoint, config, problem)));
            } else {
                printText(out, checkpoint, config, problem);
            }
            out.flush();
            return problem == null ? 0 : 1;
        }
    }

    private void printText(PrintWriter out, Checkpoint c, Optional<ModelConfig> config, String problem) {
        List<SafetensorsFile> files = c.files();
        line(out, "checkpoint", path + "  (" + files.size() + (files.size() == 1 ? " file: " : " shards: ")
                + files.stream().map(f -> f.path().getFileName().toString()).collect(Collectors.joining(", ")) + ")");
        if (config.isEmpty()) {
            line(out, "config", "none (no config.json in " + c.directory() + ")");
        } else {
            DecoderConfig m = config.get().decoder();
            line(out, "architecture", String.join(", ", m.architectures()) + " (model_type " + m.modelType()
                    + ", " + m.family().name().toLowerCase(Locale.ROOT) + " decoder)");
            line(out, "layers", Integer.toString(m.numLayers()));
            line(out, "hidden size", m.hiddenSize() + " (MLP " + m.intermediateSize() + ", " + m.hiddenAct() + ")");
            line(out, "heads", m.numHeads() + " query, " + m.numKvHeads() + " key/value"
                    + (m.numKvHeads() < m.numHeads() ? " (grouped, " + m.queriesPerKvHead() + " per KV head)" : "")
                    + ", head dim " + m.headDim());
            line(out, "vocab", Integer.toString(m.vocabSize()));
            line(out, "positions", m.maxPositionEmbeddings() + ", rope theta " + number(m.ropeTheta())
                    + (m.ropeScaling() == null ? "" : ", rope scaling " + m.ropeScaling())
                    + ", rms eps " + number(m.rmsNormEps()));
            String biases = (m.attentionBias() ? (m.attentionOutputBias() ? "q/k/v/o" : "q/k/v") : "")
                    + (m.attentionBias() && m.mlpBias() ? ", " : "") + (m.mlpBias() ? "gate/up/down" : "");
            line(out, "biases", biases.isEmpty() ? "none" : biases);
            line(out, "lm head", m.tieWordEmbeddings() ? "tied to the embeddings" : "separate");
            line(out, "parameters", String.format("%,d in the decoder (%s)", m.parameterCount(),
                    human(m.parameterCount(), 1000, "", "K", "M", "B")));
            LlavaConfig l = config.get().llava();
            if (l != null) {
                line(out, "multimodal", "mm_hidden_size " + l.mmHiddenSize() + ", projector " + l.mmProjectorType()
                        + (l.mmVisionTower() == null ? "" : ", vision tower " + l.mmVisionTower()) + (l.mmVideoTower() == null ? "" : ", video tower "
                        + l.mmVideoTower()) + (l.numFrames() == null ? "" : ", " + l.numFrames() + " frames"));
            }
            line(out, "check", problem == null ? "every decoder tensor matches the config, and it accounts for every tensor"
                    : "PROBLEM: " + problem);
        }
        long elements = c.tensors().stream().mapToLong(Tensor::elementCount).sum();
        line(out, "tensors", String.format("%,d holding %,d values", c.tensors().size(), elements));
        Map<DType, long[]> perDtype = perDtype(c);
        line(out, "bytes", perDtype.entrySet().stream()
                .map(e -> e.getKey() + " " + bytes(e.getValue()[0]) + " (" + e.getValue()[1] + (e.getValue()[1] == 1 ? " tensor)" : " tensors)"))
                .collect(Collectors.joining(", ")) + (perDtype.size() > 1 ? "; total " + bytes(totalBytes(c)) : ""));
        for (SafetensorsFile f : files) {
            if (!f.metadata().isEmpty()) {
                line(out, "metadata", (files.size() > 1 ? f.path().getFileName() + ": " : "") + f.metadata().entrySet()
                        .stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")));
            }
        }
        out.println();
        printTable(out, c);
    }

    private static void printTable(PrintWriter out, Checkpoint c) {
        String[] head = {"NAME", "DTYPE", "SHAPE", "SIZE", "SHARD"};
        int[] width = new int[head.length];
        for (int i = 0; i < head.length; i++) width[i] = head[i].length();
        for (Tensor t : c.tensors()) {
            String[] row = row(t);
            for (int i = 0; i < row.length; i++) width[i] = Math.max(width[i], row[i].length());
        }
        String format = "%-" + width[0] + "s  %-" + width[1] + "s  %-" + width[2] + "s  %" + width[3] + "s  %s%n";
        out.printf(format, (Object[]) head);
        for (Tensor t : c.tensors()) out.printf(format, (Object[]) row(t));
    }

    private static String[] row(Tensor t) {
        return new String[] {t.name(), t.dtype().safetensorsName(), t.shapeString(), bytes(t.byteSize()),
            t.file().getFileName().toString()};
    }

    private ObjectNode toJson(Checkpoint c, Optional<ModelConfig> config, String problem) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("path", path.toString());
        ArrayNode files = root.putArray("files");
        for (SafetensorsFile f : c.files()) {
            ObjectNode file = files.addObject();
            file.put("name", f.path().getFileName().toString());
            file.put("bytes", Files.size(f.path()));
            file.put("tensors", f.tensors().size());
            file.set("metadata", Json.MAPPER.valueToTree(f.metadata()));
        }
        if (config.isPresent()) {
            ModelConfig m = config.get();
            ObjectNode cfg = (ObjectNode) Json.MAPPER.readTree(m.toJson());
            cfg.put("family", m.decoder().family().name());
            cfg.put("parameter_count", m.decoder().parameterCount());
            root.set("config", cfg);
            ObjectNode check = root.putObject("config_check");
            check.put("ok", problem == null);
            if (problem != null) check.put("problem", problem);
        } else {
            root.putNull("config");
            root.putNull("config_check");
        }
        root.put("tensor_count", c.tensors().size());
        root.put("total_values", c.tensors().stream().mapToLong(Tensor::elementCount).sum());
        root.put("total_bytes", totalBytes(c));
        ObjectNode perDtype = root.putObject("bytes_per_dtype");
        perDtype(c).forEach((dtype, sums) -> perDtype.put(dtype.safetensorsName(), sums[0]));
        ArrayNode tensors = root.putArray("tensors");
        for (Tensor t : c.tensors()) {
            ObjectNode n = tensors.addObject();
            n.put("name", t.name());
            n.put("dtype", t.dtype().safetensorsName());
            ArrayNode shape = n.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            n.put("bytes", t.byteSize());
            n.put("file", t.file().getFileName().toString());
        }
        return root;
    }

    /** Per dtype: {bytes, tensor count}, in dtype order. */
    private static Map<DType, long[]> perDtype(Checkpoint c) {
        Map<DType, long[]> sums = new EnumMap<>(DType.class);
        for (Tensor t : c.tensors()) {
            long[] s = sums.computeIfAbsent(t.dtype(), d -> new long[2]);
            s[0] += t.byteSize();
            s[1]++;
        }
        return sums;
    }

    private static long totalBytes(Checkpoint c) {
        return c.tensors().stream().mapToLong(Tensor::byteSize).sum();
    }

    private static void line(PrintWriter out, String label, String value) {
        out.printf("%-13s%s%n", label, value);
    }

    private static String bytes(long n) {
        return n < 1024 ? n + " B" : human(n, 1024, " B", " KiB", " MiB", " GiB", " TiB");
    }

    /** 1.5 MiB, 6.74 B: three significant digits at most. */
    private static String human(long n, int base, String... units) {
        double v = n;
        int u = 0;
        while (v >= base && u < units.length - 1) {
            v /= base;
            u++;
        }
        String digits = u == 0 ? Long.toString(n) : v >= 100 ? String.format("%.0f", v) : v >= 10
                ? String.format("%.1f", v) : String.format("%.2f", v);
        return digits + units[u];
    }

    /** 10000, 1e-05, 0.5: as a config.json writer would show them. */
    private static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
        if (Math.abs(d) < 1e-3) return String.format(Locale.ROOT, "%.0e", d);
        return Double.toString(d);
    }
}
