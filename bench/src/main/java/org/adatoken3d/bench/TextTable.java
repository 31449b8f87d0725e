package org.adatoken3d.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A table printed with every column as wide as its widest cell, so no label, however long (a policy with all its
 * options, a question type's name), pushes its row out of line. The first column is left-aligned, the rest right.
 */
public final class TextTable {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    public TextTable(String... header) {
        columns = header.length;
        rows.add(header);
    }

    public int columns() {
        return columns;
    }

    public TextTable row(Object... cells) {
        if (cells.length != columns) throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + columns);
        String[] s = new String[columns];
        for (int i = 0; i < columns; i++) s[i] = String.valueOf(cells[i]);
        rows.add(s);
        return this;
    }

    /** Prints every row; {@code indent} goes before each. */
    public void print(PrintStream out, String indent) {
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) width[i] = Math.max(width[i], r[i].length());
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder(indent);
            for (int i = 0; i < columns; i++) {
                if (i > 0) line.append("  ");
                String pad = " ".repeat(width[i] - r[i].length());
                line.append(i == 0 ? r[i] + (i == columns - 1 ? "" : pad) : pad + r[i]);
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
