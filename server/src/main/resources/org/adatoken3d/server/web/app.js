// The page's logic: lists the scenes (GET /v1/scenes), shows the chosen one's token positions
// (GET /v1/scenes/{id}), asks (POST /v1/chat/completions, stream: true, return_keep_set: true), reads the
// server-sent events with fetch and a ReadableStream, and shows what the reply's adatoken object says.
import { SceneView } from "./view3d.js";

const $ = (id) => document.getElementById(id);
const view = new SceneView($("view"));
const state = { model: null, positions: null, scene: null, requests: 0 };

// What each policy kind sends, and the value its number field starts at.
const POLICIES = {
  auto: { value: null, spec: () => "auto" },
  tau: { value: 0.05, spec: (v) => `tau=${v}` },
  keep: { value: 0.3, spec: (v) => `keep=${v}` },
  fastv: { value: null, spec: () => "fastv" },
  random: { value: 0.3, spec: (v) => `random,keep=${v}` },
  none: { value: null, spec: () => "none" },
};

function headers(json) {
  const h = {};
  if (json) h["Content-Type"] = "application/json";
  const key = $("api-key").value.trim();
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

/** A JSON reply, or an Error carrying the server's one-line message. */
async function getJson(path) {
  const r = await fetch(path, { headers: headers(false) });
  const body = await r.json().catch(() => null);
  if (!r.ok) throw apiError(r.status, body);
  return body;
}

function apiError(status, body) {
  const message = body?.error?.message ?? `HTTP ${status}`;
  const e = new Error(status === 401 ? `${message} (enter the key under "API key")` : message);
  e.status = status;
  return e;
}

function setStatus(stateName, text) {
  const s = $("status");
  s.dataset.state = stateName;
  s.textContent = text;
}

async function loadScenes() {
  setStatus("loading", "Loading scenes…");
  try {
    const models = await getJson("/v1/models");
    state.model = models.data[0]?.id ?? null;
    $("model").textContent = state.model ?? "no model";
    const scenes = await getJson("/v1/scenes");
    const select = $("scene");
    const previous = select.value;
    select.replaceChildren();
    for (const s of scenes.data) {
      const o = document.createElement("option");
      o.value = s.id;
      o.textContent = s.tokens == null ? s.id : `${s.id} (${s.tokens} tokens)`;
      select.append(o);
    }
    if (scenes.data.length === 0) {
      setStatus("error", "The server has no scenes: start it with --scenes or --scene-set.");
      return;
    }
    if ([...select.options].some((o) => o.value === previous)) select.value = previous;
    await showScene(select.value);
    setStatus("ready", "");
  } catch (e) {
    if (e.status === 401) $("key-box").open = true;
    setStatus("error", e.message);
  }
}

/** Loads and draws a scene's token positions; the promise is kept so that an answer can wait for it. */
function showScene(id) {
  state.scene = id;
  view.setPoints([]);
  $("scene-info").textContent = "Loading the scene's token positions…";
  state.positions = getJson(`/v1/scenes/${encodeURIComponent(id)}`).then((s) => {
    if (state.scene !== id) return s;
    if (s.xyz == null) {
      $("scene-info").textContent = `${s.tokens} spatial tokens; this scene has no positions to draw.`;
    } else {
      view.setPoints(s.xyz);
      $("scene-info").textContent = `${s.tokens} spatial tokens.`;
    }
    return s;
  });
  state.positions.catch((e) => {
    $("scene-info").textContent = e.message;
  });
  return state.positions;
}

function updatePolicy() {
  const kind = $("policy").value;
  const p = POLICIES[kind];
  const field = $("policy-value");
  field.hidden = p.value == null;
  // A new kind starts from its usual value; typing is left alone (the server explains a value it refuses).
  if (p.value != null && field.dataset.kind !== kind) field.value = p.value;
  field.dataset.kind = kind;
  $("prune").value = p.spec(field.value.trim());
}

/** The data of each server-sent event, as text. */
async function* events(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer = (buffer + decoder.decode(value, { stream: true })).replace(/\r\n/g, "\n");
    for (let cut; (cut = buffer.indexOf("\n\n")) >= 0; ) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).replace(/^ /, "")).join("\n");
      if (data) yield data;
    }
  }
}

async function ask(event) {
  event.preventDefault();
  const question = $("question").value.trim();
  const scene = $("scene").value;
  if (!question || !scene) return;
  const prune = $("prune").value.trim();
  const body = {
    scene, stream: true, return_keep_set: true, max_tokens: 64,
    messages: [{ role: "user", content: question }],
  };
  if (state.model) body.model = state.model;
  if (prune) body.prune = prune;

  $("ask").disabled = true;
  $("answer").textContent = "";
  view.setKept(null);
  setStatus("streaming", "Prefilling…");
  let text = "", last = null;
  try {
    const r = await fetch("/v1/chat/completions", { method: "POST", headers: headers(true), body: JSON.stringify(body) });
    if (!r.ok) throw apiError(r.status, await r.json().catch(() => null));
    for await (const data of events(r)) {
      if (data === "[DONE]") break;
      const chunk = JSON.parse(data);
      if (chunk.error) throw new Error(chunk.error.message);
      const choice = chunk.choices?.[0];
      if (choice?.delta?.content) {
        text += choice.delta.content;
        $("answer").textContent = text;
        setStatus("streaming", "Decoding…");
      }
      if (chunk.adatoken) last = chunk;
    }
    if (last == null) throw new Error("the stream ended without its last chunk");
    await show(last.adatoken, scene);
    addHistory(scene, question, text, last.adatoken);
    setStatus("done", last.choices[0].finish_reason === "length" ? "Done (stopped at the token limit)." : "Done.");
  } catch (e) {
    if (e.status === 401) $("key-box").open = true;
    setStatus("error", e.message);
  } finally {
    $("ask").disabled = false;
  }
}

/** Shows the adatoken object of a finished request: the numbers, and the kept tokens in the view. */
async function show(a, scene) {
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  $("kept-count").textContent = String(a.kept);
  $("total-count").textContent = String(a.spatial_tokens);
  $("kept-share").textContent = a.spatial_tokens > 0 ? `(${pct(a.kept / a.spatial_tokens)})` : "";
  figure($("flops-share"), `${pct(a.prefill_flops_share)} of unpruned`, `${giga(a.prefill_flops)} of ${giga(a.prefill_flops_unpruned)} GFLOP`);
  figure($("decode-share"), `${pct(a.decode_flops_per_token / a.decode_flops_per_token_unpruned)} of unpruned`,
    `${mega(a.decode_flops_per_token)} of ${mega(a.decode_flops_per_token_unpruned)} MFLOP`);
  $("times").textContent = `${ms(a.prefill_ms)} / ${ms(a.decode_ms)}` + (a.queue_ms >= 1 ? ` (queued ${ms(a.queue_ms)})` : "");
  $("kv").textContent = `${(a.kv_cache_bytes / 1048576).toFixed(2)} MiB`;
  $("policy-applied").textContent = a.policy + (a.stopped_by ? ` (stopped by the ${a.stopped_by.replace("_", " ")})` : "");
  if (scene === state.scene) {
    await state.positions.catch(() => null);
    view.setKept(a.kept_indices ?? null);
  }
}

/** A share, with the absolute figures under it in a quieter line. */
function figure(element, share, detail) {
  const d = document.createElement("span");
  d.className = "detail";
  d.textContent = detail;
  element.replaceChildren(share, d);
}

function addHistory(scene, question, answer, a) {
  const row = document.createElement("tr");
  const cells = [String(++state.requests), scene, question, answer.trim(), a.policy, `${a.kept} / ${a.spatial_tokens}`,
    `${(100 * a.prefill_flops_share).toFixed(1)}%`, ms(a.prefill_ms), ms(a.decode_ms)];
  for (const c of cells) {
    const td = document.createElement("td");
    td.textContent = c;
    row.append(td);
  }
  $("history").tBodies[0].prepend(row);
}

const giga = (x) => (x / 1e9).toFixed(2);
const mega = (x) => (x / 1e6).toFixed(2);
const ms = (x) => (x >= 100 ? `${Math.round(x)} ms` : `${x.toFixed(1)} ms`);

$("policy").addEventListener("change", updatePolicy);
$("policy-value").addEventListener("input", updatePolicy);
$("scene").addEventListener("change", (e) => showScene(e.target.value));
$("api-key").addEventListener("change", loadScenes);
$("ask-form").addEventListener("submit", ask);
$("question").addEventListener("keydown", (e) => {
  // Enter asks, Shift+Enter breaks the line.
  if (e.key === "Enter" && !e.shiftKey) {
    e.preventDefault();
    $("ask-form").requestSubmit();
  }
});
updatePolicy();
loadScenes();
