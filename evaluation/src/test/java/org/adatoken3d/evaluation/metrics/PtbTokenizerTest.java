package org.adatoken3d.evaluation.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Independent check: the Stanford CoreNLP 3.4.1 PTBTokenizer jar (the one pycocoevalcap runs, with its flags),
 * run by {@code make_metric_fixtures.py} on tricky cases and 400 seeded random answer-like phrases.
 */
class PtbTokenizerTest {
    @Test
    void matchesStanfordPtbTokenizerOnAnswerText() throws Exception {
        List<String> wrong = new ArrayList<>();
        JsonNode cases = Fixtures.load("stanford_ptb_tokens.json");
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            List<String> tokens = PtbTokenizer.tokens(text);
            if (!tokens.equals(Fixtures.strings(c.get("tokens")))) wrong.add(text + " -> " + tokens + ", Stanford " + c.get("tokens"));
            if (!PtbTokenizer.tokenize(text).equals(c.get("kept").asText())) wrong.add(text + " kept " + PtbTokenizer.tokenize(text));
        }
        assertEquals(List.of(), wrong, wrong.size() + " of " + cases.size() + " differ");
    }

    @Test
    void dropsPycocoevalcapsPunctuation() {
        assertEquals("the chair 's leg is n't it", PtbTokenizer.tokenize("The chair's leg, isn't it?"));
        assertEquals("", PtbTokenizer.tokenize(" - , : -- "));
    }
}
