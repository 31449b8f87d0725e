package org.adatoken3d.weights;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A safetensors file, memory-mapped whole through the FFM API (so files over 2 GiB work) and checked on open. Its
 * tensors are read-only views into the mapping; they stay valid until {@link #close()}, after which touching one
 * throws IllegalStateException. The mapping is shared: tensors may be read from any thread.
 *
 * <p>Bad files give an {@link InvalidFileException} that names the file and the problem. A file that another
 * process truncates while it is mapped can still crash reads (the OS raises SIGBUS); nothing in Java prevents that.
 */
public final class SafetensorsFile implements AutoCloseable {
    private final Path path;
    private final Arena arena; // null when the caller owns the memory
    private final Map<String, String> metadata;
    private final List<Tensor> tensors;
    private final Map<String, Tensor> byName;

    private SafetensorsFile(Path path, Arena arena, MemorySegment bytes) {
        this.path = path;
        this.arena = arena;
        SafetensorsHeader header = SafetensorsHeader.read(path, bytes);
        List<Tensor> list = new ArrayList<>(header.entries().size());
        Map<String, Tensor> map = new HashMap<>();
        for (SafetensorsHeader.Entry e : header.entries()) {
            MemorySegment data = bytes.asSlice(header.dataStart() + e.begin(), e.end() - e.begin()).asReadOnly();
            Tensor t = new Tensor(e.name(), e.dtype(), e.shape(), data, path);
            list.add(t);
            map.put(t.name(), t);
        }
        this.metadata = Collections.unmodifiableMap(header.metadata());
        this.tensors = List.copyOf(list);
        this.byName = map;
    }

    /** Maps and checks {@code file}. */
    public static SafetensorsFile open(Path file) {
        if (Files.isDirectory(file)) {
            throw new InvalidFileException(file, "is a folder, expected a .safetensors file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            MemorySegment bytes = size == 0 ? MemorySegment.ofArray(new byte[0])
                    : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new SafetensorsFile(file, arena, bytes);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new InvalidFileException(file, "no such file");
        } catch (AccessDeniedException e) {
            arena.close();
            throw new InvalidFileException(file, "permission denied");
        } catch (IOException e) {
            arena.close();
            throw new InvalidFileException(file, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Reads a safetensors image that is already in memory (a test fixture, a fuzz input). The caller keeps
     * ownership of {@code bytes}; {@code nameForErrors} only labels messages and tensors.
     */
    public static SafetensorsFile fromSegment(Path nameForErrors, MemorySegment bytes) {
        return new SafetensorsFile(nameForErrors, null, bytes);
    }

    public Path path() {
        return path;
    }

    /** The {@code __metadata__} strings; empty when the file has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Every tensor, in the order of their bytes in the file. */
    public List<Tensor> tensors() {
        return tensors;
    }

    public Optional<Tensor> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The tensor called {@code name}; InvalidFileException naming this file if it has none. */
    public Tensor tensor(String name) {
        Tensor t = byName.get(name);
        if (t == null) {
            throw new InvalidFileException(path, "no tensor " + name + " (the file holds " + tensors.size() + " tensors)");
        }
        return t;
    }

    /** Total bytes of tensor data. */
    public long dataBytes() {
        long sum = 0;
        for (Tensor t : tensors) sum += t.byteSize();
        return sum;
    }

    /** Unmaps the file; every tensor from it becomes unusable. Closing twice does nothing. */
    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) arena.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }
}
