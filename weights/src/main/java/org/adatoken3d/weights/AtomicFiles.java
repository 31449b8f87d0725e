package org.adatoken3d.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that a reader sees the old one or the whole new one, never a part: the content goes to a hidden
 * file beside the target ({@code .NAME.RANDOM.partial}, which every reader of the project's folders skips), is forced
 * to disk and renamed over the target. A failed write leaves the target as it was and removes the partial file.
 *
 * <p>The new file gets the mode of the file it replaces, or else the one this process's umask gives a new file, as any
 * other program writing it would (a temporary file from {@link Files#createTempFile} would stay 0600).
 */
public final class AtomicFiles {
    /** The suffix of a file being written; such a file is never a finished one. */
    public static final String PARTIAL_SUFFIX = ".partial";

    private AtomicFiles() {}

    /** Writes the content of a file under its partial name; the name it will have is not yet taken. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path partial) throws IOException;
    }

    /** Replaces {@code target} with {@code bytes}. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, partial -> {
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) channel.write(buffer);
            }
        });
    }

    /**
     * Replaces {@code target} with what {@code content} writes. An IOException names {@code target}, never the partial
     * name, which is this class's business.
     */
    public static void write(Path target, Content content) throws IOException {
        Path out = target.toAbsolutePath();
        Path dir = out.getParent();
        Path partial = create(out);
        try {
            content.writeTo(partial);
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            if (Files.exists(out)) {
                PosixFileAttributeView view = Files.getFileAttributeView(partial, PosixFileAttributeView.class);
                if (view != null) view.setPermissions(Files.getPosixFilePermissions(out));
            }
            try {
                Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // A plain move could leave a reader a part of the file, which is what this class exists to prevent.
                throw new IOException(out + ": the file system of " + dir + " cannot rename atomically, so the file is not written", e);
            }
        } finally {
            Files.deleteIfExists(partial);
        }
        forceDirectory(dir);
    }

    /** The hidden name {@code name} is written under in {@code dir}; unique, so writers never share one. */
    public static Path partialName(Path dir, String name) {
        return dir.resolve("." + name + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + PARTIAL_SUFFIX);
    }

    private static Path create(Path out) throws IOException {
        Path dir = out.getParent();
        for (int attempt = 0; ; attempt++) {
            Path partial = partialName(dir, out.getFileName().toString());
            try {
                // CREATE_NEW gives the file the umask's mode.
                Files.newByteChannel(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return partial;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 8) throw new IOException(out + ": cannot pick a free temporary name beside it", e);
            } catch (AccessDeniedException e) {
                throw new IOException(out + ": cannot write here (permission denied in " + dir + ")", e);
            } catch (NoSuchFileException e) {
                throw new IOException(out + ": cannot write here (no such folder " + dir + ")", e);
            } catch (IOException e) {
                throw new IOException(out + ": cannot write here (" + e.getMessage() + ")", e);
            }
        }
    }

    /** Makes the rename itself durable where the platform allows opening a folder (Linux does; Windows does not). */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // The data is on disk already; only the rename's durability across a power cut is left to the OS.
        }
    }
}
