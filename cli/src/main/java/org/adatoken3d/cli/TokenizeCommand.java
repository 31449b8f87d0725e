package org.adatoken3d.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.adatoken3d.model.tokenizer.Tokenizer;
import org.adatoken3d.model.tokenizer.Tokenizers;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tokenize}: a text's token ids, comma-separated on the last line of stdout; the pieces go to stderr. */
@Command(
        name = "tokenize",
        mixinStandardHelpOptions = true,
        description = {"Print the token ids of a text.",
                "",
                "Prints the token ids of a text, comma-separated, as the last line of standard output; the pieces they stand "
                    + "for go to standard error.",
            "The tokenizer is a model folder's tokenizer.model (SentencePiece), tokenizer.json (Hugging Face) or "
                    + "tokenizer.bin (llama2.c), or a file given with --tokenizer."
        })
public final class TokenizeCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--model", paramLabel = "DIR", description = "Model folder whose tokenizer to use.", required = true)
        Path model;

        @Option(names = "--tokenizer", paramLabel = "FILE", description = "Tokenizer file to use.", required = true)
        Path tokenizer;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "The text to tokenize (use --text=... for text that starts with '-').")
    String text;

    @Option(names = "--no-bos", description = "Do not put the beginning-of-sequence id first.")
    boolean noBos;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (source.model != null) Outputs.existingFolder("--model", source.model);
        else Outputs.existingFile("--tokenizer", source.tokenizer);
        Tokenizer tokenizer = source.model != null ? Tokenizers.forModel(source.model) : Tokenizers.load(source.tokenizer);
        int[] ids = tokenizer.encode(text, !noBos);
        PrintWriter err = spec.commandLine().getErr();
        err.println(ids.length + " tokens: " + Arrays.stream(ids).mapToObj(id -> id + "=" + readable(tokenizer.piece(id)))
                .collect(Collectors.joining(" ")));
        err.flush();
        PrintWriter out = spec.commandLine().getOut();
        out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        out.flush();
        return 0;
    }

    /** A piece in quotes, with line breaks, tabs, other control characters and quotes escaped so it stays on one line. */
    static String readable(String piece) {
        StringBuilder s = new StringBuilder("\"");
        piece.codePoints().forEach(cp -> {
            switch (cp) {
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                default -> {
                    if (Character.isISOControl(cp)) s.append(String.format("\\x%02X", cp));
                    else s.appendCodePoint(cp);
                }
            }
        });
        return s.append('"').toString();
    }
}
