package org.adatoken3d.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.SceneOptions;
import org.adatoken3d.llava3d.spatial.SpatialTokens;

/**
 * The scenes a server answers about, by id: folders under {@code --scenes} (ScanNet or EmbodiedScan layout, or a
 * spatial-token {@code .safetensors} file), registered by name and encoded once, on first use; scenes registered by
 * the application (a spatial-QA scene set); and uploaded spatial tokens, named by their content's hash so that the
 * same upload twice is one scene. Ids are never used as paths: a request names an entry of this map, and every
 * entry's files were checked, when registered and again when read, to resolve inside the scenes folder.
 */
public final class SceneRegistry {
    /** What a scene id may look like: a folder or file name without path separators. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final int maxScenes;

    public SceneRegistry(int maxScenes) {
        this.maxScenes = maxScenes;
    }

    /** A registered scene; its tokens are read or encoded on the engine thread and kept. */
    public static final class Entry {
        private final String id;
        private final String origin;
        private final Function<Llava3d, SpatialTokens> loader;
        private volatile Integer knownTokens;
        private volatile SpatialTokens tokens;

        Entry(String id, String origin, Integer knownTokens, Function<Llava3d, SpatialTokens> loader) {
            this.id = id;
            this.origin = origin;
            this.knownTokens = knownTokens;
            this.loader = loader;
        }

        public String id() {
            return id;
        }

        /** {@code folder}, {@code set} or {@code upload}. */
        public String origin() {
            return origin;
        }

        /** Token count, or null while a folder scene has not been encoded yet. */
        public Integer tokenCount() {
            return tokens != null ? Integer.valueOf(tokens.count()) : knownTokens;
        }

        public boolean encoded() {
            return tokens != null;
        }

        /** The tokens, encoding the scene on the first call; call on the engine thread only. */
        SpatialTokens tokens(Llava3d llava) {
            SpatialTokens t = tokens;
            if (t == null) {
                t = loader.apply(llava);
                tokens = t;
                knownTokens = t.count();
            }
            return t;
        }
    }

    /** Registers a scene the application provides (e.g. one of a spatial-QA scene set). */
    public void register(String id, String origin, Integer tokens, Function<Llava3d, SpatialTokens> loader) {
        if (!ID.matcher(id).matches()) throw new IllegalArgumentException("scene id '" + id + "' is not a plain name");
        if (entries.putIfAbsent(id, new Entry(id, origin, tokens, loader)) != null) {
            throw new IllegalArgumentException("scene id '" + id + "' is registered twice");
        }
    }

    /**
     * Registers every scene under {@code root}: folders, EmbodiedScan {@code .json} files and spatial-token
     * {@code .safetensors} files, by name (files without their extension). Entries that resolve outside
     * {@code root} (a symbolic link out of it) or have no plain name are skipped and told to {@code warn}.
     */
    public void scan(Path root, Consumer<String> warn) {
        Path rootReal;
        try {
            rootReal = root.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": the scenes folder cannot be read: " + e.getMessage(), e);
        }
        if (!Files.isDirectory(rootReal)) throw new UncheckedIOException(new IOException(root + ": the scenes folder is not a folder"));
        List<Path> children;
        try (Stream<Path> list = Files.list(rootReal)) {
            children = list.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": the scenes folder cannot be listed: " + e.getMessage(), e);
        }
        for (Path child : children) {
            String name = child.getFileName().toString();
            boolean tokensFile = name.endsWith(".safetensors");
            String id = tokensFile ? name.substring(0, name.length() - ".safetensors".length())
                    : name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
            if (!Files.isDirectory(child) && !tokensFile && !name.endsWith(".json")) continue;
            if (!ID.matcher(id).matches()) {
                warn.accept("scenes: skipping '" + name + "': not a plain name");
                continue;
            }
            try {
                Confinement.check(rootReal, child);
            } catch (ApiException e) {
                warn.accept("scenes: skipping '" + name + "': " + e.getMessage());
                continue;
            }
            if (entries.containsKey(id)) {
                warn.accept("scenes: skipping '" + name + "': the id '" + id + "' is taken");
                continue;
            }
            entries.put(id, new Entry(id, "folder", null, llava -> {
                Path checked = Confinement.check(rootReal, child);
                return llava.encode(checked, SceneOptions.defaults()).tokens();
            }));
        }
    }

    /** The scene {@code id}, or 404. */
    Entry get(String id) {
        Entry e = id == null ? null : entries.get(id);
        if (e == null) throw ApiException.notFound("scene", "scene_not_found", "no scene '" + id + "': GET /v1/scenes lists them");
        return e;
    }

    List<Entry> list() {
        List<Entry> out = new ArrayList<>(entries.values());
        out.sort((a, b) -> a.id.compareTo(b.id));
        return out;
    }

    /**
     * Registers uploaded spatial tokens (the {@code --spatial} safetensors format), read on the engine thread through
     * {@code read}; the same bytes again give the same entry.
     */
    Entry upload(byte[] body, Function<Path, SpatialTokens> read) {
        String id = "upload-" + HexFormat.of().formatHex(sha256(body), 0, 8);
        Entry existing = entries.get(id);
        if (existing != null) return existing;
        if (entries.size() >= maxScenes) {
            throw new ApiException(429, "rate_limit_error", null, "scene_limit", "the server holds its limit of " + maxScenes + " scenes");
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile("adatoken3d-upload-", ".safetensors");
            Files.write(tmp, body);
            SpatialTokens tokens;
            try {
                tokens = read.apply(tmp);
            } catch (org.adatoken3d.weights.InvalidFileException e) {
                throw ApiException.badRequest("body", "invalid_scene", "the uploaded spatial tokens cannot be read: "
                        + e.getMessage().replace(tmp.toString(), "upload"));
            }
            Entry fresh = new Entry(id, "upload", tokens.count(), l -> tokens);
            fresh.tokens = tokens;
            Entry raced = entries.putIfAbsent(id, fresh);
            return raced != null ? raced : fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store an upload in a temporary file: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // A temporary file left behind is harmless; the upload itself succeeded or failed above.
                }
            }
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
