package org.adatoken3d.llava3d.scene;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import org.adatoken3d.weights.InvalidFileException;

/**
 * The text files of a ScanNet export: 4×4 matrices as whitespace-separated numbers ({@code pose/*.txt},
 * {@code intrinsic/*.txt}, {@code axis_align_matrix.txt}, as numpy's savetxt writes them, {@code -inf} included),
 * and the {@code axisAlignment = m00 ... m33} line of a scan's {@code <scene>.txt} meta file.
 */
public final class MatrixText {
    /** Matrix files are a few hundred bytes; anything far larger is not one. */
    static final int MAX_BYTES = 64 * 1024;

    private MatrixText() {}

    /** Reads a 4×4 matrix file (a 3×3 one is padded to 4×4, as intrinsics sometimes come). */
    public static Matrix4 read(Path file) {
        return parse(file, readSmall(file));
    }

    /** Parses 16 (or 9) numbers; {@code file} only names the source in errors. */
    public static Matrix4 parse(Path file, String text) {
        String[] tokens = text.strip().split("\\s+");
        if (tokens.length == 1 && tokens[0].isEmpty()) throw new InvalidFileException(file, "is empty, expected a 4x4 matrix");
        if (tokens.length != 16 && tokens.length != 9) {
            throw new InvalidFileException(file, "holds " + tokens.length + " numbers, expected 16 (a 4x4 matrix)");
        }
        double[] v = new double[tokens.length];
        for (int i = 0; i < tokens.length; i++) v[i] = number(file, tokens[i]);
        if (v.length == 16) return new Matrix4(v);
        double[] m = new double[16];
        for (int r = 0; r < 3; r++) System.arraycopy(v, r * 3, m, r * 4, 3);
        m[15] = 1;
        return new Matrix4(m);
    }

    /** The matrix of the {@code axisAlignment = ...} line of a ScanNet scan's meta file, or null if it has none. */
    public static Matrix4 parseAxisAlignment(Path file, String text) {
        for (String line : text.split("\\R")) {
            String s = line.strip();
            if (!s.startsWith("axisAlignment")) continue;
            int eq = s.indexOf('=');
            if (eq < 0) throw new InvalidFileException(file, "axisAlignment line has no '='");
            try {
                return parse(file, s.substring(eq + 1));
            } catch (InvalidFileException e) {
                throw new InvalidFileException(file, "axisAlignment: " + e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
            }
        }
        return null;
    }

    static String readSmall(Path file) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new InvalidFileException(file, "is " + Files.size(file) + " bytes; a matrix file is at most " + MAX_BYTES);
            }
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidFileException(file, "does not exist");
        } catch (IOException e) {
            throw new InvalidFileException(file, "cannot be read: " + e.getMessage(), e);
        }
    }

    private static double number(Path file, String token) {
        String t = token.toLowerCase(Locale.ROOT);
        switch (t) {
            case "inf", "+inf", "infinity", "+infinity" -> { return Double.POSITIVE_INFINITY; }
            case "-inf", "-infinity" -> { return Double.NEGATIVE_INFINITY; }
            case "nan", "+nan", "-nan" -> { return Double.NaN; }
            default -> { }
        }
        // Double.parseDouble also takes hex floats, "Infinity" and a trailing 'd' or 'f'; only decimal numbers are matrix text.
        if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?")) {
            throw new InvalidFileException(file, "'" + abbreviate(token) + "' is not a number");
        }
        return Double.parseDouble(t);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
