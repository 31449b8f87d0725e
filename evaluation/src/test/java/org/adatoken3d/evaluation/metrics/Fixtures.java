package org.adatoken3d.evaluation.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.evaluation.metrics.WordNet;
import org.junit.jupiter.api.Assumptions;

/**
 * The committed expected values written by {@code evaluation/python/make_metric_fixtures.py} from NLTK, WordNet and
 * the Stanford PTBTokenizer jar.
 */
final class Fixtures {
    private Fixtures() {}

    static JsonNode load(String name) throws IOException {
        try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing test resource " + name);
            return new ObjectMapper().readTree(in);
        }
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) out.add(n.asText());
        return out;
    }

    static List<List<String>> stringLists(JsonNode array) {
        List<List<String>> out = new ArrayList<>();
        for (JsonNode n : array) out.add(strings(n));
        return out;
    }

    /** Debian's WordNet; absent on a developer machine the test is skipped with the reason, under CI it fails. */
    static WordNet wordNet() {
        WordNet wn = WordNet.debianOrNull();
        if (wn == null) {
            String reason = WordNet.DEBIAN_DIR + " is missing (apt-get install wordnet-base)";
            if (System.getenv("CI") != null) throw new AssertionError("CI must run the WordNet cases, but " + reason);
            Assumptions.abort(reason);
        }
        return wn;
    }
}
