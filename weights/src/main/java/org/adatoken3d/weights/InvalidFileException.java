package org.adatoken3d.weights;

import java.nio.file.Path;

/**
 * A file the user gave us is unusable: its message names the file and the problem, and is meant to be printed
 * as it is. Every parser of untrusted files in the project (safetensors, config.json, tokenizers, scenes,
 * profiles) reports through this type, so the CLI can show one line instead of a stack trace.
 */
public class InvalidFileException extends RuntimeException {
    private final transient Path file;

    public InvalidFileException(Path file, String problem) {
        this(file, problem, null);
    }

    public InvalidFileException(Path file, String problem, Throwable cause) {
        super((file == null ? "<memory>" : file.toString()) + ": " + problem, cause);
        this.file = file;
    }

    /** The offending file, or null for in-memory input. */
    public Path file() {
        return file;
    }
}
