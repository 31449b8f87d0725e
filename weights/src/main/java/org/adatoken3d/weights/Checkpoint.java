package org.adatoken3d.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A model's weights as Hugging Face lays them out: one {@code model.safetensors}, or shards listed by
 * {@code model.safetensors.index.json}, with {@code config.json} beside them. Tensors are found by name across
 * shards. Like transformers, a folder holding both a single file and an index is read through the single file.
 */
public final class Checkpoint implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    public static final String CONFIG_FILE = "config.json";
    static final long MAX_INDEX_BYTES = 64L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final Path source; // the single file or the index: what errors about the whole checkpoint name
    private final List<SafetensorsFile> files;
    private final List<Tensor> tensors;
    private final Map<String, Tensor> byName;
    private Optional<ModelConfig> config; // loaded on first use

    private Checkpoint(Path directory, Path source, List<SafetensorsFile> files, Map<String, Tensor> byName) {
        this.directory = directory;
        this.source = source;
        this.files = List.copyOf(files);
        this.byName = byName;
        List<Tensor> all = new ArrayList<>();
        for (SafetensorsFile f : files) all.addAll(f.tensors());
        this.tensors = List.copyOf(all);
    }

    /**
     * Opens a model folder ({@code model.safetensors}, or the shards of {@code model.safetensors.index.json}), an
     * index file, or a single {@code .safetensors} file.
     */
    public static Checkpoint open(Path dirOrFile) {
        if (Files.isDirectory(dirOrFile)) {
            Path single = dirOrFile.resolve(SINGLE_FILE);
            if (Files.exists(single)) return single(dirOrFile, single);
            Path index = dirOrFile.resolve(INDEX_FILE);
            if (Files.exists(index)) return sharded(dirOrFile, index);
            throw new InvalidFileException(dirOrFile, "holds neither " + SINGLE_FILE + " nor " + INDEX_FILE);
        }
        if (!Files.exists(dirOrFile)) throw new InvalidFileException(dirOrFile, "no such file or folder");
        Path dir = dirOrFile.toAbsolutePath().getParent();
        String name = dirOrFile.getFileName().toString();
        if (name.endsWith(".index.json")) return sharded(dir, dirOrFile);
        if (name.endsWith(".json")) {
            throw new InvalidFileException(dirOrFile, "is not a checkpoint; give the model folder, its " + INDEX_FILE
                    + " or a .safetensors file");
        }
        return single(dir, dirOrFile);
    }

    private static Checkpoint single(Path dir, Path file) {
        SafetensorsFile f = SafetensorsFile.open(file);
        Map<String, Tensor> byName = new HashMap<>();
        for (Tensor t : f.tensors()) byName.put(t.name(), t);
        return new Checkpoint(dir, file, List.of(f), byName);
    }

    private static Checkpoint sharded(Path dir, Path index) {
        Map<String, String> weightMap = readWeightMap(index);
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        try {
            for (String shard : new TreeSet<>(weightMap.values())) {
                Path file = dir.resolve(shard);
                if (!Files.exists(file)) {
                    throw new InvalidFileException(index, "lists shard " + shard + ", which is not in " + dir);
                }
                shards.put(shard, SafetensorsFile.open(file));
            }
            Map<String, Tensor> byName = new HashMap<>();
            for (SafetensorsFile f : shards.values()) {
                for (Tensor t : f.tensors()) {
                    Tensor other = byName.put(t.name(), t);
                    if (other != null) {
                        throw new InvalidFileException(index, "tensor " + t.name() + " is in two shards, "
                                + other.file().getFileName() + " and " + t.file().getFileName());
                    }
                }
            }
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                Tensor t = byName.get(e.getKey());
                if (t == null || !t.file().getFileName().toString().equals(e.getValue())) {
                    throw new InvalidFileException(index, "lists tensor " + e.getKey() + " in " + e.getValue()
                            + ", but that shard has no such tensor"
                            + (t == null ? "" : " (it is in " + t.file().getFileName() + ")"));
                }
            }
            return new Checkpoint(dir, index, new ArrayList<>(shards.values()), byName);
        } catch (RuntimeException e) {
            shards.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** The weight_map of an index: tensor name to shard file name (a plain name in the same folder). */
    private static Map<String, String> readWeightMap(Path index) {
        JsonNode root;
        try {
            long size = Files.size(index);
            if (size > MAX_INDEX_BYTES) {
                throw new InvalidFileException(index, "is " + size + " bytes, too large for a shard index (limit "
                        + MAX_INDEX_BYTES + ")");
            }
            root = JSON.readTree(Files.readAllBytes(index));
        } catch (NoSuchFileException e) {
            throw new InvalidFileException(index, "no such file");
        } catch (JsonProcessingException e) {
            throw new InvalidFileException(index, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidFileException(index, "cannot read: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new InvalidFileException(index, "has no weight_map object");
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            JsonNode v = e.getValue();
            if (!v.isTextual()) throw new InvalidFileException(index, "weight_map entry " + e.getKey() + " is not a file name");
            String shard = v.textValue();
            // Shards live beside the index; anything else could point the loader anywhere on disk.
            if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..") || shard.equals(".")) {
                throw new InvalidFileException(index, "weight_map entry " + e.getKey() + " names \"" + shard
                        + "\", which is not a file name in the same folder");
            }
            weightMap.put(e.getKey(), shard);
        }
        if (weightMap.isEmpty()) throw new InvalidFileException(index, "weight_map is empty");
        return weightMap;
    }

    /** The folder holding the weights (and config.json). */
    public Path directory() {
        return directory;
    }

    /** The single .safetensors file or the index this checkpoint was opened from. */
    public Path source() {
        return source;
    }

    /** The safetensors files, one per shard, in shard order. */
    public List<SafetensorsFile> files() {
        return files;
    }

    /** Every tensor, shard by shard, each shard in file order. */
    public List<Tensor> tensors() {
        return tensors;
    }

    public Optional<Tensor> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The tensor called {@code name}; InvalidFileException naming the checkpoint if it has none. */
    public Tensor tensor(String name) {
        Tensor t = byName.get(name);
        if (t == null) {
            throw new InvalidFileException(source, "no tensor " + name + " (the checkpoint holds " + tensors.size()
                    + " tensors)");
        }
        return t;
    }

    /**
     * config.json beside the weights, read on first call; empty if there is none. A config.json that is there but
     * bad is an InvalidFileException, not an empty result.
     */
    public synchronized Optional<ModelConfig> config() {
        if (config == null) {
            Path file = directory.resolve(CONFIG_FILE);
            config = Files.exists(file) ? Optional.of(ModelConfig.load(file)) : Optional.empty();
        }
        return config;
    }

    /**
     * Checks that every decoder tensor {@code config} asks for is here, holds floating-point numbers and has the
     * shape the config says, and that the config accounts for every tensor here: a tensor it does not describe
     * (a sixth layer under {@code num_hidden_layers: 5}, a projector without {@code mm_*} fields) means the
     * config and the weights disagree, and running what the config says would silently drop it. A linear weight may
     * instead be stored as Q4_0 ({@link TensorNames.Q4}): its codes and scales, both there, with the shapes its
     * {@code [rows, cols]} gives them. A tied {@code lm_head.weight} may be absent, but must fit if present. The LLaVA
     * front end's tensors are checked by their loaders.
     */
    public void validate(ModelConfig config) {
        DecoderConfig d = config.decoder();
        List<TensorNames.Expected> expected = new ArrayList<>(TensorNames.decoder(d));
        TensorNames.Q4 tiedHead = TensorNames.q4(TensorNames.LM_HEAD);
        if (d.tieWordEmbeddings() && (byName.containsKey(TensorNames.LM_HEAD) || byName.containsKey(tiedHead.codes())
                || byName.containsKey(tiedHead.scales()))) {
            expected.add(new TensorNames.Expected(TensorNames.LM_HEAD, TensorNames.Kind.LINEAR, d.vocabSize(), d.hiddenSize()));
        }
        Set<String> accounted = new HashSet<>();
        for (TensorNames.Expected e : expected) {
            Tensor t = byName.get(e.name());
            TensorNames.Q4 q4 = TensorNames.q4(e.name());
            if (e.kind() == TensorNames.Kind.LINEAR && (byName.containsKey(q4.codes()) || byName.containsKey(q4.scales()))) {
                if (t != null) {
                    throw new InvalidFileException(t.file(), "tensor " + e.name() + " is stored twice: as itself and as Q4_0 ("
                            + q4.codes() + ", " + q4.scales() + ")");
                }
                checkQ4(q4, e.shape());
                accounted.add(q4.codes());
                accounted.add(q4.scales());
                continue;
            }
            if (t == null) {
                throw new InvalidFileException(source, "no tensor " + e.name() + ", which the config's "
                        + d.modelType() + " decoder needs");
            }
            if (!Arrays.equals(t.shape(), e.shape())) {
                throw new InvalidFileException(t.file(), "tensor " + t.name() + " has shape " + t.shapeString()
                        + ", config says " + Tensor.shapeString(e.shape()));
            }
            if (!t.dtype().isFloatingPoint()) {
                throw new InvalidFileException(t.file(), "tensor " + t.name() + " is " + t.dtype()
                        + "; decoder weights must be F32, F16, BF16 or F64");
            }
            accounted.add(e.name());
        }
        // Older transformers saved RoPE's inverse frequencies with the weights; transformers itself skips them.
        for (int l = 0; l < d.numLayers(); l++) accounted.add(TensorNames.layer(l).rotaryInvFreq());
        for (Tensor t : tensors) {
            String name = t.name();
            if (accounted.contains(name) || (config.isMultimodal() && TensorNames.isLlava(name))) continue;
            throw new InvalidFileException(t.file(), "tensor " + name + " is not accounted for by " + CONFIG_FILE
                    + ": " + unaccounted(name, d));
        }
    }

    /** The codes and scales of a Q4_0 weight whose float shape would be {@code shape}: both here, typed and shaped. */
    private void checkQ4(TensorNames.Q4 q4, long[] shape) {
        Tensor codes = byName.get(q4.codes()), scales = byName.get(q4.scales());
        if (codes == null || scales == null) {
            String missing = codes == null ? q4.codes() : q4.scales(), present = codes == null ? q4.scales() : q4.codes();
            throw new InvalidFileException(source, "no tensor " + missing + ", which the Q4_0 weight " + q4.weight() + " needs beside " + present);
        }
        checkQ4Part(codes, DType.U8, TensorNames.Q4.codesShape(shape[0], shape[1]), "codes", shape);
        checkQ4Part(scales, DType.BF16, TensorNames.Q4.scalesShape(shape[0], shape[1]), "scales", shape);
    }

    private static void checkQ4Part(Tensor t, DType dtype, long[] expected, String what, long[] weightShape) {
        if (t.dtype() != dtype) {
            throw new InvalidFileException(t.file(), "tensor " + t.name() + " is " + t.dtype() + "; Q4_0 " + what + " are " + dtype);
        }
        if (!Arrays.equals(t.shape(), expected)) {
            throw new InvalidFileException(t.file(), "tensor " + t.name() + " has shape " + t.shapeString() + ", config says "
                    + Tensor.shapeString(expected) + " (the Q4_0 " + what + " of a " + Tensor.shapeString(weightShape) + " weight)");
        }
    }

    private static String unaccounted(String name, DecoderConfig d) {
        if (TensorNames.isLlava(name)) return "it has no mm_* fields";
        if (name.startsWith(TensorNames.LAYERS)) {
            String index = name.substring(TensorNames.LAYERS.length()).split("\\.", 2)[0];
            if (!index.matches("\\d{1,9}") || Integer.parseInt(index) >= d.numLayers()) {
                return "num_hidden_layers is " + d.numLayers();
            }
        }
        return "the " + d.modelType() + " decoder it describes has no such tensor";
    }

    @Override
    public void close() {
        for (SafetensorsFile f : files) f.close();
    }
}
