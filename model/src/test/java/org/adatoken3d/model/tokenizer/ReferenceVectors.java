package org.adatoken3d.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * Encodings and decodings made by the real SentencePiece library (see make_sentencepiece_vectors.py beside the
 * files), read from a JSON-lines test resource.
 */
record ReferenceVectors(List<Encoding> encodings, List<Decoding> decodings) {
    record Encoding(String text, int[] ids) {}

    record Decoding(int[] ids, String decoded) {}

    static ReferenceVectors load(String resource) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Encoding> encodings = new ArrayList<>();
        List<Decoding> decodings = new ArrayList<>();
        var in = ReferenceVectors.class.getResourceAsStream(resource);
        if (in == null) throw new IOException("missing test resource " + resource);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                JsonNode v = json.readTree(line);
                int[] ids = StreamSupport.stream(v.get("ids").spliterator(), false).mapToInt(JsonNode::intValue).toArray();
                if (v.has("text")) encodings.add(new Encoding(v.get("text").textValue(), ids));
                else decodings.add(new Decoding(ids, v.get("decoded").textValue()));
            }
        }
        return new ReferenceVectors(encodings, decodings);
    }
}
