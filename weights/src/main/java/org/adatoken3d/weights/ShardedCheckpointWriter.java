package org.adatoken3d.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Writes a checkpoint folder the way transformers does: {@code model.safetensors} when everything fits one shard,
 * otherwise {@code model-00001-of-0000n.safetensors} files of at most {@code maxShardBytes} tensor bytes each (a
 * single larger tensor gets a shard of its own) plus {@code model.safetensors.index.json}. Tensors stay in the
 * order given and are streamed, so a checkpoint may be far larger than memory.
 *
 * <p>Each file is written atomically. Weight files a previous write left in the folder that the new layout does not
 * use ({@code model.safetensors}, an index, shards of another count) are deleted afterwards, so that the folder
 * cannot be read as a mix of old and new weights.
 */
public final class ShardedCheckpointWriter {
    private static final Pattern SHARD_NAME = Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ShardedCheckpointWriter() {}

    /**
     * Writes {@code tensors} into {@code dir} (created if needed); {@code metadata} goes into every shard.
     *
     * @return the files written: the shards in order, then the index if there is one
     */
    public static List<Path> write(Path dir, Map<String, String> metadata, List<TensorSource> tensors,
            long maxShardBytes) throws IOException {
        if (maxShardBytes <= 0) throw new IllegalArgumentException("maxShardBytes must be positive: " + maxShardBytes);
        List<List<TensorSource>> shards = split(tensors, maxShardBytes);
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        if (shards.size() == 1) {
            Path file = dir.resolve(Checkpoint.SINGLE_FILE);
            SafetensorsWriter.write(file, metadata, shards.getFirst());
            written.add(file);
        } else {
            Map<String, String> weightMap = new TreeMap<>();
            long totalSize = 0;
            for (int i = 0; i < shards.size(); i++) {
                String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
                Path file = dir.resolve(name);
                SafetensorsWriter.write(file, metadata, shards.get(i));
                written.add(file);
                for (TensorSource t : shards.get(i)) {
                    weightMap.put(t.name(), name);
                    totalSize += t.byteSize();
                }
            }
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("metadata", Map.of("total_size", totalSize));
            index.put("weight_map", weightMap);
            Path indexFile = dir.resolve(Checkpoint.INDEX_FILE);
            AtomicFiles.write(indexFile, JSON.writeValueAsBytes(index));
            written.add(indexFile);
        }
        removeStale(dir, written);
        return written;
    }

    /** Greedy, in order: a shard takes tensors until the next one would push it past the limit. */
    static List<List<TensorSource>> split(List<TensorSource> tensors, long maxShardBytes) {
        List<List<TensorSource>> shards = new ArrayList<>();
        List<TensorSource> current = new ArrayList<>();
        long bytes = 0;
        for (TensorSource t : tensors) {
            if (!current.isEmpty() && bytes + t.byteSize() > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(t);
            bytes += t.byteSize();
        }
        shards.add(current);
        return shards;
    }

    private static void removeStale(Path dir, List<Path> keep) throws IOException {
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                boolean weights = name.equals(Checkpoint.SINGLE_FILE) || name.equals(Checkpoint.INDEX_FILE)
                        || SHARD_NAME.matcher(name).matches();
                if (weights && !keep.contains(p)) stale.add(p);
            }
        }
        for (Path p : stale) Files.deleteIfExists(p);
    }
}
