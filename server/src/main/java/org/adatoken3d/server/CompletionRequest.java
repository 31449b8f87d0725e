package org.adatoken3d.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.llava3d.ChatTurn;

/**
 * A {@code POST /v1/chat/completions} body, checked field by field: OpenAI's {@code messages}, {@code max_tokens}
 * (or {@code max_completion_tokens}), {@code temperature}, {@code top_p}, {@code seed}, {@code stop}, {@code stream},
 * {@code stream_options.include_usage}, and the extensions {@code scene} (a scene id), {@code prune} (a policy as on
 * the command line) and {@code return_keep_set} (list the kept token indices in the reply). Fields OpenAI defines
 * that change nothing here (penalties at 0, {@code n} = 1, {@code user}) are accepted; ones that would change the
 * answer and are not supported are refused rather than ignored.
 *
 * @param temperature 0 (the default here) is greedy decoding
 */
public record CompletionRequest(String model, List<ChatTurn> messages, int maxTokens, double temperature, double topP, long seed,
        List<String> stop, boolean stream, boolean includeUsage, String scene, String prune, boolean returnKeepSet) {

    /** Most stop sequences, as OpenAI allows. */
    static final int MAX_STOP = 4;

    public static CompletionRequest parse(JsonNode body, int maxTokensLimit) {
        if (body == null || !body.isObject()) throw ApiException.badRequest(null, "the request body must be a JSON object");
        String model = optionalText(body, "model");
        List<ChatTurn> messages = messages(body.get("messages"));
        JsonNode maxNode = body.hasNonNull("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        String maxName = body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        int maxTokens = maxTokensLimit;
        if (maxNode != null && !maxNode.isNull()) {
            if (!maxNode.canConvertToInt() || !maxNode.isIntegralNumber()) throw ApiException.badRequest(maxName, maxName + " must be an integer");
            maxTokens = maxNode.intValue();
            if (maxTokens < 1 || maxTokens > maxTokensLimit) {
                throw ApiException.badRequest(maxName, maxName + " must be in [1, " + maxTokensLimit + "] (the server's limit), got " + maxTokens);
            }
        }
        double temperature = number(body, "temperature", 0, 0, 2);
        double topP = number(body, "top_p", 1, Double.MIN_VALUE, 1);
        long seed = 0;
        if (body.hasNonNull("seed")) {
            JsonNode s = body.get("seed");
            if (!s.isIntegralNumber() || !s.canConvertToLong()) throw ApiException.badRequest("seed", "seed must be an integer");
            seed = s.longValue();
        }
        List<String> stop = stop(body.get("stop"));
        boolean stream = bool(body, "stream");
        boolean includeUsage = false;
        if (body.hasNonNull("stream_options")) {
            JsonNode o = body.get("stream_options");
            if (!o.isObject()) throw ApiException.badRequest("stream_options", "stream_options must be an object");
            includeUsage = bool(o, "include_usage");
        }
        if (body.hasNonNull("n") && !(body.get("n").isIntegralNumber() && body.get("n").intValue() == 1)) {
            throw ApiException.badRequest("n", "only n = 1 is supported");
        }
        for (String penalty : List.of("presence_penalty", "frequency_penalty")) {
            if (body.hasNonNull(penalty) && !(body.get(penalty).isNumber() && body.get(penalty).doubleValue() == 0)) {
                throw ApiException.badRequest(penalty, penalty + " is not supported (only 0)");
            }
        }
        for (String unsupported : List.of("tools", "functions", "logit_bias", "response_format")) {
            if (body.hasNonNull(unsupported)) throw ApiException.badRequest(unsupported, unsupported + " is not supported by this server");
        }
        if (body.hasNonNull("logprobs") && body.get("logprobs").asBoolean(false)) {
            throw ApiException.badRequest("logprobs", "logprobs is not supported by this server");
        }
        String scene = optionalText(body, "scene");
        String prune = optionalText(body, "prune");
        boolean keepSet = bool(body, "return_keep_set");
        return new CompletionRequest(model, messages, maxTokens, temperature, topP, seed, stop, stream, includeUsage, scene, prune, keepSet);
    }

    private static List<ChatTurn> messages(JsonNode node) {
        if (node == null || node.isNull()) throw ApiException.badRequest("messages", "messages is required");
        if (!node.isArray() || node.isEmpty()) throw ApiException.badRequest("messages", "messages must be a non-empty array");
        List<ChatTurn> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) throw ApiException.badRequest(where, where + " must be an object");
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) throw ApiException.badRequest(where + ".role", where + ".role must be a string");
            String r = role.textValue();
            ChatTurn.Role kind = switch (r) {
                case "system", "developer" -> ChatTurn.Role.SYSTEM;
                case "user" -> ChatTurn.Role.USER;
                case "assistant" -> ChatTurn.Role.ASSISTANT;
                default -> throw ApiException.badRequest(where + ".role", where + ".role '" + r + "' is not one of system, developer, user, assistant");
            };
            out.add(new ChatTurn(kind, content(m.get("content"), where + ".content")));
        }
        return List.copyOf(out);
    }

    /** A string, or OpenAI's array of parts of which only text parts are understood. */
    private static String content(JsonNode c, String where) {
        if (c == null || c.isNull()) throw ApiException.badRequest(where, where + " is required");
        if (c.isTextual()) return c.textValue();
        if (!c.isArray()) throw ApiException.badRequest(where, where + " must be a string or an array of text parts");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            JsonNode part = c.get(i);
            JsonNode type = part.get("type");
            if (!part.isObject() || type == null || !"text".equals(type.asText()) || !part.hasNonNull("text") || !part.get("text").isTextual()) {
                throw ApiException.badRequest(where + "[" + i + "]", where + "[" + i + "] must be {\"type\": \"text\", \"text\": ...}: "
                        + "only text parts are understood (the scene goes in the 'scene' field)");
            }
            text.append(part.get("text").textValue());
        }
        return text.toString();
    }

    private static List<String> stop(JsonNode node) {
        if (node == null || node.isNull()) return List.of();
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.textValue());
        } else if (node.isArray()) {
            for (JsonNode s : node) {
                if (!s.isTextual()) throw ApiException.badRequest("stop", "stop must be a string or an array of strings");
                out.add(s.textValue());
            }
        } else {
            throw ApiException.badRequest("stop", "stop must be a string or an array of strings");
        }
        if (out.size() > MAX_STOP) throw ApiException.badRequest("stop", "at most " + MAX_STOP + " stop sequences, got " + out.size());
        if (out.stream().anyMatch(String::isEmpty)) throw ApiException.badRequest("stop", "stop sequences must not be empty");
        return List.copyOf(out);
    }

    private static String optionalText(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw ApiException.badRequest(field, field + " must be a string");
        return n.textValue();
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return false;
        if (!n.isBoolean()) throw ApiException.badRequest(field, field + " must be true or false");
        return n.booleanValue();
    }

    private static double number(JsonNode body, String field, double fallback, double min, double max) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return fallback;
        if (!n.isNumber()) throw ApiException.badRequest(field, field + " must be a number");
        double v = n.doubleValue();
        if (!(v >= min && v <= max)) throw ApiException.badRequest(field, field + " must be in [" + (min == Double.MIN_VALUE ? "0 (exclusive)" : min) + ", " + max + "], got " + v);
        return v;
    }
}
