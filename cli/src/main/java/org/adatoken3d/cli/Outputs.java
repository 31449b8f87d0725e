package org.adatoken3d.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.adatoken3d.weights.AtomicFiles;

/**
 * Where commands read and write, checked before any work is done. An output is written under a hidden name beside
 * where it goes and moved into place whole, so a failed or interrupted command leaves nothing half-written; an
 * output folder that already holds something is replaced only with {@code --force}; no output ever replaces or
 * holds a file the command reads. Errors name the option and the path the user gave, never the hidden name.
 */
final class Outputs {
    private Outputs() {}

    /** A folder an option names, which the command reads. */
    static void existingFolder(String option, Path dir) {
        if (!Files.exists(dir)) throw new UserException(option + " " + dir + ": no such folder");
        if (!Files.isDirectory(dir)) throw new UserException(option + " " + dir + ": is a file, not a folder");
    }

    /** A file an option names, which the command reads. */
    static void existingFile(String option, Path file) {
        if (!Files.exists(file)) throw new UserException(option + " " + file + ": no such file");
        if (Files.isDirectory(file)) throw new UserException(option + " " + file + ": is a folder, not a file");
    }

    /**
     * Checks that {@code out} may be written as a file: its folder exists and takes files, it is no folder, and it is
     * none of {@code inputs} (files, or folders whose files the command reads). Proves the folder writable by creating
     * and removing a hidden file, so a command that measures for an hour does not fail at its last step.
     */
    static void checkFile(String option, Path out, Path... inputs) {
        Path parent = out.toAbsolutePath().getParent();
        if (Files.isDirectory(out)) throw new UserException(option + " " + out + ": is a folder; give a file name");
        if (!Files.isDirectory(parent)) {
            throw new UserException(option + " " + out + ": no such folder " + parent + " (it is not created for a file)");
        }
        for (Path in : inputs) {
            if (in != null && readsFile(in, out)) {
                throw new UserException(option + " " + out + ": is a file this command reads (" + in + "); write elsewhere");
            }
        }
        Path probe = hidden(parent, out.getFileName().toString());
        try {
            Files.newByteChannel(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
            Files.delete(probe);
        } catch (IOException e) {
            throw new UserException(option + " " + out + ": cannot write in " + parent + " (" + reason(e) + ")");
        }
    }

    /** Writes a file the command makes, through {@link AtomicFiles}: a reader never sees a part of it. */
    interface FileWriter {
        void write(Path file) throws IOException;
    }

    static void writeFile(String option, Path out, FileWriter writer) {
        try {
            AtomicFiles.write(out, writer::write);
        } catch (IOException e) {
            throw new UserException(option + " " + out + ": cannot write (" + reason(e) + ")");
        }
    }

    /** Whether writing {@code out} would replace {@code input} or one of the files in the folder {@code input}. */
    private static boolean readsFile(Path input, Path out) {
        Path in = real(input), o = real(out);
        return Files.isDirectory(in) ? o.startsWith(in) && Files.exists(out) : o.equals(in);
    }

    /**
     * A folder about to be written whole: call {@link Folder#commit} when every file is in {@link Folder#staging},
     * {@link Folder#close} always (it removes an uncommitted staging folder).
     */
    static Folder folder(String option, Path out, boolean force, Path... inputs) {
        if (Files.exists(out) && !Files.isDirectory(out)) throw new UserException(option + " " + out + ": is a file, not a folder");
        if (!isEmpty(out) && !force) {
            throw new UserException(option + " " + out + ": the folder is not empty; give --force to replace it, or another folder");
        }
        apart(option, out, inputs);
        Path parent = out.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
            Path staging = hidden(parent, out.getFileName().toString());
            // Not Files.createTempDirectory: that makes the folder 0700; this one gets the umask's mode, as mkdir does.
            Files.createDirectory(staging);
            return new Folder(option, out, staging);
        } catch (IOException e) {
            throw new UserException(option + " " + out + ": cannot create the folder (" + reason(e) + ")");
        }
    }

    /** Refuses a folder {@code out} that holds one of {@code inputs} (files or folders the command reads) or lies in one. */
    static void apart(String option, Path out, Path... inputs) {
        for (Path in : inputs) {
            if (in == null) continue;
            Path i = real(in), o = real(out);
            if (i.startsWith(o) || o.startsWith(i)) {
                throw new UserException(option + " " + out + ": would " + (i.startsWith(o) ? "replace " : "be written inside ")
                        + in + ", which this command reads; write elsewhere");
            }
        }
    }

    static final class Folder implements AutoCloseable {
        private final String option;
        private final Path out;
        private final Path staging;
        private boolean committed;

        private Folder(String option, Path out, Path staging) {
            this.option = option;
            this.out = out;
            this.staging = staging;
        }

        /** Where the command writes; moved to {@link #out()} by {@link #commit}. */
        Path staging() {
            return staging;
        }

        Path out() {
            return out;
        }

        /** {@code p}, a path in the staging folder, as it will be named once committed. */
        Path published(Path p) {
            return out.resolve(staging.relativize(p));
        }

        /** Moves the staged folder into place, replacing what was there (which {@link #folder} allowed). */
        void commit() {
            try {
                Path old = null;
                if (Files.exists(out)) {
                    old = hidden(staging.getParent(), out.getFileName() + ".old");
                    Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
                }
                Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
                committed = true;
                if (old != null) delete(old);
            } catch (IOException e) {
                throw new UserException(option + " " + out + ": cannot put the written folder in place (" + reason(e) + ")");
            }
        }

        @Override
        public void close() {
            if (!committed) delete(staging);
        }
    }

    /** Runs {@code write}, with messages about the staging folder naming the folder the user gave. */
    static <T> T writing(Folder f, java.util.function.Supplier<T> write) {
        try {
            return write.get();
        } catch (UncheckedIOException | UserException e) {
            String m = (e instanceof UncheckedIOException u && u.getCause() != null ? reason(u.getCause()) : e.getMessage());
            throw new UserException(m.replace(f.staging.toString(), f.out.toString()));
        }
    }

    private static boolean isEmpty(Path dir) {
        if (!Files.isDirectory(dir)) return true;
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path hidden(Path parent, String name) {
        return AtomicFiles.partialName(parent, name);
    }

    /** The path with links resolved as far as it exists, so two spellings of one file compare equal. */
    static Path real(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null) return abs;
        try {
            return existing.toRealPath().resolve(existing.relativize(abs));
        } catch (IOException e) {
            return abs;
        }
    }

    /** An I/O failure in words: the JDK's exception names say more than their messages, which are only a path. */
    static String reason(Throwable e) {
        String kind = switch (e) {
            case AccessDeniedException a -> "permission denied";
            case NoSuchFileException n -> "no such file or folder";
            case FileAlreadyExistsException f -> "already exists";
            case DirectoryNotEmptyException d -> "folder not empty";
            case AtomicMoveNotSupportedException a -> "cannot be moved atomically there";
            default -> null;
        };
        if (kind != null) return kind;
        // AtomicFiles words its IOExceptions with the file's name, which the caller's message already has.
        if (e.getClass() == IOException.class && e.getCause() != null) return reason(e.getCause());
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            Progress.say("warning: could not remove %s: %s", dir, reason(e));
        }
    }
}
