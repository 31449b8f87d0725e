package org.adatoken3d.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.adatoken3d.pruning.FlopsReport;

/** The JSON the server sends: OpenAI's completion, chunk and error objects, and the {@code adatoken} extension. */
final class Replies {
    static final ObjectMapper JSON = new ObjectMapper();

    private Replies() {}

    static ObjectNode error(ApiException e) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.type());
        if (e.param() == null) err.putNull("param");
        else err.put("param", e.param());
        if (e.code() == null) err.putNull("code");
        else err.put("code", e.code());
        return root;
    }

    static ObjectNode completion(String id, long created, String model, Completion c, CompletionRequest r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id);
        root.put("object", "chat.completion");
        root.put("created", created);
        root.put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", c.text());
        choice.putNull("logprobs");
        choice.put("finish_reason", c.finishReason());
        root.set("usage", usage(c));
        root.set("adatoken", adatoken(c, r));
        return root;
    }

    static ObjectNode chunk(String id, long created, String model) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id);
        root.put("object", "chat.completion.chunk");
        root.put("created", created);
        root.put("model", model);
        return root;
    }

    /** A chunk carrying {@code delta}; {@code finish} is null until the last one. */
    static ObjectNode delta(String id, long created, String model, String role, String content, String finish) {
        ObjectNode root = chunk(id, created, model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (role != null) delta.put("role", role);
        if (content != null) delta.put("content", content);
        choice.putNull("logprobs");
        if (finish == null) choice.putNull("finish_reason");
        else choice.put("finish_reason", finish);
        return root;
    }

    static ObjectNode usage(Completion c) {
        ObjectNode u = JSON.createObjectNode();
        u.put("prompt_tokens", c.promptTokens());
        u.put("completion_tokens", c.completionTokens());
        u.put("total_tokens", c.promptTokens() + c.completionTokens());
        return u;
    }

    /** What pruning did and what it cost: tokens kept, FLOPs share, KV cache, and where the time went. */
    static ObjectNode adatoken(Completion c, CompletionRequest r) {
        ObjectNode a = JSON.createObjectNode();
        if (r.scene() == null) a.putNull("scene");
        else a.put("scene", r.scene());
        a.put("policy", c.policy());
        a.put("spatial_tokens", c.spatialTokens());
        a.put("kept", c.keepSet().keptCount());
        FlopsReport f = c.flops();
        a.put("prefill_flops_share", (double) f.prefillAfter() / f.prefillBefore());
        a.put("prefill_flops", f.prefillAfter());
        a.put("prefill_flops_unpruned", f.prefillBefore());
        a.put("decode_flops_per_token", f.decodeAfter());
        a.put("decode_flops_per_token_unpruned", f.decodeBefore());
        a.put("kv_cache_bytes", c.kvCacheBytes());
        a.put("queue_ms", c.queueNanos() / 1e6);
        a.put("prefill_ms", c.prefillNanos() / 1e6);
        a.put("decode_ms", c.decodeNanos() / 1e6);
        if (c.timeLimited()) a.put("stopped_by", "time_limit");
        if (r.returnKeepSet()) {
            ArrayNode kept = a.putArray("kept_indices");
            for (int k : c.keepSet().kept()) kept.add(k);
        }
        return a;
    }
}
