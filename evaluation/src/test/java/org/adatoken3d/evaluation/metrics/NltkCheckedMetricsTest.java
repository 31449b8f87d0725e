package org.adatoken3d.evaluation.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * BLEU, METEOR, the Porter stemmer and WordNet look-ups against NLTK 3.8 (Debian python3-nltk) with WordNet 3.0
 * (Debian wordnet-base), through the committed fixtures of {@code make_metric_fixtures.py}. These are independent
 * implementations; where pycocoevalcap and NLTK define BLEU differently the fixture avoids those inputs and
 * {@link BleuTest} works them by hand.
 */
class NltkCheckedMetricsTest {
    @Test
    void bleuMatchesNltkCorpusBleuWhereTheDefinitionsAgree() throws Exception {
        for (JsonNode c : Fixtures.load("nltk_bleu.json")) {
            double[] got = Bleu.corpus(Fixtures.strings(c.get("candidates")), Fixtures.stringLists(c.get("references")));
            for (int k = 0; k < 4; k++) {
                // pycocoevalcap's 1e-15 / 1e-9 guards move the value by about 1e-9 relative; NLTK has none.
                double want = c.get("bleu").get(k).asDouble();
                assertEquals(want, got[k], 1e-8 * Math.max(1, want), "BLEU-" + (k + 1) + " of " + c);
            }
        }
    }

    @Test
    void meteorMatchesNltkMeteorScoreWithWordNet() throws Exception {
        Meteor meteor = new Meteor(Fixtures.wordNet());
        for (JsonNode c : Fixtures.load("nltk_meteor.json")) {
            double got = meteor.sentence(c.get("candidate").asText(), Fixtures.strings(c.get("references")));
            assertEquals(c.get("meteor").asDouble(), got, 1e-12, c.toString());
        }
    }

    @Test
    void meteorWithoutWordNetMatchesNltkWithItsSynonymStageOff() throws Exception {
        Meteor meteor = new Meteor(null);
        for (JsonNode c : Fixtures.load("nltk_meteor.json")) {
            double got = meteor.sentence(c.get("candidate").asText(), Fixtures.strings(c.get("references")));
            assertEquals(c.get("meteor_no_synonyms").asDouble(), got, 1e-12, c.toString());
        }
    }

    @Test
    void porterStemmerMatchesNltk() throws Exception {
        List<String> wrong = new ArrayList<>();
        JsonNode cases = Fixtures.load("nltk_porter.json");
        for (JsonNode c : cases) {
            String got = PorterStemmer.stem(c.get("word").asText());
            if (!got.equals(c.get("stem").asText())) wrong.add(c.get("word").asText() + " -> " + got + ", NLTK " + c.get("stem").asText());
        }
        assertEquals(List.of(), wrong, wrong.size() + " of " + cases.size() + " differ");
    }

    @Test
    void wordNetLemmaNamesMatchNltkSynsets() throws Exception {
        WordNet wordnet = Fixtures.wordNet();
        List<String> wrong = new ArrayList<>();
        JsonNode cases = Fixtures.load("nltk_wordnet.json");
        for (JsonNode c : cases) {
            Set<String> got = new TreeSet<>(wordnet.lemmaNames(c.get("word").asText()));
            Set<String> want = new TreeSet<>(Fixtures.strings(c.get("lemma_names")));
            if (!got.equals(want)) wrong.add(c.get("word").asText() + " -> " + got + ", NLTK " + want);
        }
        assertEquals(List.of(), wrong, wrong.size() + " of " + cases.size() + " differ");
    }
}
