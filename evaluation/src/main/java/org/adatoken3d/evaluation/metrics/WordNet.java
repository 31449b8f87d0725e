package org.adatoken3d.evaluation.metrics;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.adatoken3d.weights.InvalidFileException;

/**
 * The part of the WordNet 3.0 database METEOR's synonym stage needs, read from the standard dictionary files
 * ({@code index.*}, {@code data.*}, {@code *.exc}; Debian's {@code wordnet-base} installs them in
 * {@code /usr/share/wordnet}). {@link #lemmaNames} is what NLTK computes as
 * {@code {l.name() for s in wordnet.synsets(word) for l in s.lemmas()}}: the word lower-cased, its base forms
 * found by NLTK's {@code _morphy} (exception lists, then the detachment rules applied until a form is in the
 * index) for noun, verb, adjective and adverb, and the lemma names of every synset of every base form, with
 * adjective markers such as "(a)" removed and case kept.
 */
public final class WordNet {
    /** Debian's location of the database. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/wordnet");

    private static final String[] POS = {"n", "v", "a", "r"};
    private static final String[] FILE = {"noun", "verb", "adj", "adv"};
    private static final String[][][] SUBSTITUTIONS = {
        {{"s", ""}, {"ses", "s"}, {"ves", "f"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"}, {"men", "man"}, {"ies", "y"}},
        {{"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""}},
        {{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}},
        {},
    };
    /** Longest word looked up: the detachment rules branch, and no English word is longer. */
    private static final int MAX_WORD_CHARS = 64;

    private final List<Map<String, long[]>> index = new ArrayList<>();
    private final List<Map<String, List<String>>> exceptions = new ArrayList<>();
    private final List<MappedByteBuffer> data = new ArrayList<>();
    private final List<Path> dataFiles = new ArrayList<>();
    private final Map<String, Set<String>> cache = new ConcurrentHashMap<>();

    private WordNet(Path dir) throws IOException {
        for (String f : FILE) {
            index.add(readIndex(dir.resolve("index." + f)));
            exceptions.add(readExceptions(dir.resolve(f + ".exc")));
            Path d = dir.resolve("data." + f);
            try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
                data.add(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
            }
            dataFiles.add(d);
        }
    }

    /** Opens the database in {@code dir}. */
    public static WordNet open(Path dir) {
        try {
            return new WordNet(dir);
        } catch (IOException e) {
            throw new InvalidFileException(dir, "is not a readable WordNet 3.0 database (index.*, data.*, *.exc): " + e.getMessage(), e);
        }
    }

    /** The database at {@link #DEBIAN_DIR}, or null when it is not installed. */
    public static WordNet debianOrNull() {
        return Files.isReadable(DEBIAN_DIR.resolve("index.noun")) ? open(DEBIAN_DIR) : null;
    }

    /** The lemma names of all synsets of {@code word} (see the class comment); may be empty. */
    public Set<String> lemmaNames(String word) {
        return cache.computeIfAbsent(word, this::lookUp);
    }

    private Set<String> lookUp(String word) {
        String lemma = word.toLowerCase(java.util.Locale.ROOT);
        Set<String> names = new LinkedHashSet<>();
        if (lemma.length() > MAX_WORD_CHARS) return names;
        for (int p = 0; p < POS.length; p++) {
            for (String form : morphy(lemma, p)) {
                for (long offset : index.get(p).get(form)) names.addAll(synsetLemmas(p, offset));
            }
        }
        return Set.copyOf(names);
    }

    private List<String> morphy(String form, int p) {
        List<String> exc = exceptions.get(p).get(form);
        if (exc != null) {
            List<String> forms = new ArrayList<>();
            forms.add(form);
            forms.addAll(exc);
            return filter(forms, p);
        }
        List<String> forms = applyRules(List.of(form), p);
        List<String> first = new ArrayList<>();
        first.add(form);
        first.addAll(forms);
        List<String> results = filter(first, p);
        if (!results.isEmpty()) return results;
        while (!forms.isEmpty()) {
            forms = applyRules(forms, p);
            results = filter(forms, p);
            if (!results.isEmpty()) return results;
        }
        return List.of();
    }

    private static List<String> applyRules(List<String> forms, int p) {
        // Duplicates are dropped (NLTK keeps them): the found forms are the same, and the list cannot explode.
        Set<String> out = new LinkedHashSet<>();
        for (String form : forms) {
            for (String[] rule : SUBSTITUTIONS[p]) {
                if (form.endsWith(rule[0])) out.add(form.substring(0, form.length() - rule[0].length()) + rule[1]);
            }
        }
        return new ArrayList<>(out);
    }

    private List<String> filter(List<String> forms, int p) {
        Set<String> out = new LinkedHashSet<>();
        for (String f : forms) if (index.get(p).containsKey(f)) out.add(f);
        return new ArrayList<>(out);
    }

    private List<String> synsetLemmas(int p, long offset) {
        MappedByteBuffer buffer = data.get(p);
        if (offset < 0 || offset >= buffer.limit()) throw new InvalidFileException(dataFiles.get(p), "has no synset at offset " + offset);
        int start = (int) offset;
        int end = start;
        while (end < buffer.limit() && buffer.get(end) != '\n') end++;
        byte[] line = new byte[end - start];
        buffer.get(start, line);
        String[] t = new String(line, StandardCharsets.UTF_8).split(" ");
        try {
            // synset_offset lex_filenum ss_type w_cnt (hex) then w_cnt pairs of word lex_id (hex).
            int count = Integer.parseInt(t[3], 16);
            List<String> names = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                String name = t[4 + 2 * k];
                int marker = name.indexOf('(');
                names.add(marker > 0 && name.endsWith(")") ? name.substring(0, marker) : name);
            }
            return names;
        } catch (RuntimeException e) {
            throw new InvalidFileException(dataFiles.get(p), "has a malformed synset at offset " + offset, e);
        }
    }

    private static Map<String, long[]> readIndex(Path file) throws IOException {
        Map<String, long[]> map = new HashMap<>();
        int lineNumber = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNumber++;
            if (line.startsWith(" ") || line.isEmpty()) continue;
            String[] t = line.split("\\s+");
            try {
                int synsets = Integer.parseInt(t[2]);
                int pointers = Integer.parseInt(t[3]);
                int at = 4 + pointers + 2;
                long[] offsets = new long[synsets];
                for (int k = 0; k < synsets; k++) offsets[k] = Long.parseLong(t[at + k]);
                map.put(t[0], offsets);
            } catch (RuntimeException e) {
                throw new InvalidFileException(file, "line " + lineNumber + " is not a WordNet index line", e);
            }
        }
        return map;
    }

    private static Map<String, List<String>> readExceptions(Path file) throws IOException {
        Map<String, List<String>> map = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] t = line.trim().split("\\s+");
            if (t.length == 0 || t[0].isEmpty()) continue;
            map.put(t[0], List.of(t).subList(1, t.length));
        }
        return map;
    }
}
