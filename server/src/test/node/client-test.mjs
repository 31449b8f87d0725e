// The official OpenAI Node client against a running adatoken3d server (started by OpenAiNodeClientTest).
//
//   node client-test.mjs BASE_URL API_KEY QUESTIONS_JSON INDEX
//
// BASE_URL ends in /v1; the server serves the spatial-QA split of QUESTIONS_JSON as scenes heldout-0 ... Question
// INDEX of that file is asked non-streaming and streaming; its answer and its scene's token count come from the file,
// never from the server. Prints "ok - CHECK" per check and a last "RESULT {json}" line; any failed check prints
// "not ok - CHECK: WHY" and exits with status 1.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [baseURL, apiKey, questionsFile, indexArg] = process.argv.slice(2);
if (!baseURL || !apiKey || !questionsFile || indexArg === undefined) {
  console.error('usage: node client-test.mjs BASE_URL API_KEY QUESTIONS_JSON INDEX');
  process.exit(2);
}

const split = JSON.parse(readFileSync(questionsFile, 'utf8'));
const question = split.questions[Number(indexArg)];
assert.ok(question, `${questionsFile}: no question ${indexArg}`);
const scene = `heldout-${question.scene}`;
const sceneTokens = split.scenes[question.scene].tokens;

// As the oracle scores an answer: trimmed, lower-cased, a final full stop dropped.
const normalise = (text) => text.trim().toLowerCase().replace(/\.$/, '');

// No retries: every status the server sends must reach the check that expects it.
const options = { baseURL, maxRetries: 0, timeout: 180_000 };
const client = new OpenAI({ ...options, apiKey });

let passed = 0;
let current = '';
function check(name) {
  current = name;
}
function ok() {
  passed++;
  console.log(`ok - ${current}`);
}

/** Awaits `promise` and checks that it rejects with the client's `ErrorClass` and HTTP `status`. */
async function rejectsWith(promise, ErrorClass, status, param) {
  let error = null;
  try {
    const value = await promise;
    // A stream that opened is drained, so that an error sent as an event fails too.
    if (value && typeof value[Symbol.asyncIterator] === 'function') for await (const _ of value);
  } catch (e) {
    error = e;
  }
  assert.ok(error !== null, `expected ${ErrorClass.name} (${status}), but the call succeeded`);
  assert.ok(error instanceof ErrorClass, `expected ${ErrorClass.name}, got ${error?.constructor?.name}: ${error?.message}`);
  assert.equal(error.status, status);
  if (param !== undefined) assert.equal(error.param, param, `error.param of ${error.message}`);
  assert.ok(typeof error.message === 'string' && !error.message.includes('\n'), `one-line message: ${error.message}`);
}

const result = { scene, question: question.question, expected: question.answer };

async function main() {
  check('models.list lists the one model the server serves');
  const models = [];
  for await (const m of client.models.list()) models.push(m);
  assert.equal(models.length, 1, JSON.stringify(models));
  assert.equal(models[0].object, 'model');
  assert.equal(models[0].owned_by, 'adatoken3d');
  const model = models[0].id;
  assert.equal((await client.models.retrieve(model)).id, model);
  result.model = model;
  ok();

  check(`a held-out question about ${scene}, not streamed, prune auto`);
  const messages = [{ role: 'user', content: question.question }];
  // scene and prune are the server's extensions: the client sends unknown body fields as they are.
  const reply = await client.chat.completions.create({ model, messages, max_tokens: 16, scene, prune: 'auto' });
  assert.equal(reply.object, 'chat.completion');
  assert.equal(reply.model, model);
  assert.equal(reply.choices.length, 1);
  const answer = reply.choices[0].message.content;
  assert.equal(reply.choices[0].message.role, 'assistant');
  assert.equal(normalise(answer), normalise(question.answer), `answer ${JSON.stringify(answer)} to "${question.question}"`);
  assert.equal(reply.choices[0].finish_reason, 'stop');
  const usage = reply.usage;
  assert.ok(usage.prompt_tokens > sceneTokens, `the prompt holds the ${sceneTokens} spatial tokens: ${JSON.stringify(usage)}`);
  assert.ok(usage.completion_tokens >= 1 && usage.completion_tokens <= 16, JSON.stringify(usage));
  assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
  const a = reply.adatoken;
  assert.ok(a, 'the reply has the adatoken object');
  assert.equal(a.scene, scene);
  assert.equal(a.spatial_tokens, sceneTokens);
  assert.ok(a.kept >= 1 && a.kept < sceneTokens, `auto keeps fewer than ${sceneTokens}: ${JSON.stringify(a)}`);
  assert.ok(a.prefill_flops < a.prefill_flops_unpruned, JSON.stringify(a));
  assert.ok(Math.abs(a.prefill_flops_share - a.prefill_flops / a.prefill_flops_unpruned) < 1e-9, JSON.stringify(a));
  assert.equal(typeof a.policy, 'string');
  result.notStreamed = answer;
  result.usage = usage;
  ok();

  check(`the same question streamed (for await over chunks), prune none`);
  const stream = await client.chat.completions.create({
    model, messages, max_tokens: 16, scene, prune: 'none', stream: true, stream_options: { include_usage: true },
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.ok(chunks.length >= 3, `role, text and finish chunks: ${chunks.length}`);
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.id, chunks[0].id, 'one id for the whole stream');
  }
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  const withChoice = chunks.filter((c) => c.choices.length > 0);
  const finishing = withChoice.filter((c) => c.choices[0].finish_reason !== null);
  assert.equal(finishing.length, 1, 'one chunk carries finish_reason');
  assert.equal(finishing[0], withChoice.at(-1), 'and it is the last with a choice');
  assert.equal(finishing[0].choices[0].finish_reason, 'stop');
  const pieces = withChoice.map((c) => c.choices[0].delta.content ?? '').filter((p) => p !== '');
  assert.ok(pieces.length >= 1, 'at least one piece of text');
  const streamed = pieces.join('');
  assert.equal(normalise(streamed), normalise(question.answer), `streamed answer ${JSON.stringify(streamed)}`);
  const last = finishing[0].adatoken;
  assert.equal(last.scene, scene);
  assert.equal(last.kept, sceneTokens, 'prune none keeps every spatial token');
  assert.equal(last.prefill_flops_share, 1);
  const usageChunk = chunks.at(-1);
  assert.equal(usageChunk.choices.length, 0, 'include_usage: a last chunk without choices');
  assert.equal(usageChunk.usage.prompt_tokens, usage.prompt_tokens, 'the same prompt, pruned or not, has the same length');
  assert.ok(usageChunk.usage.completion_tokens >= pieces.length, JSON.stringify(usageChunk.usage));
  assert.equal(usageChunk.usage.total_tokens, usageChunk.usage.prompt_tokens + usageChunk.usage.completion_tokens);
  result.streamed = streamed;
  result.streamedPieces = pieces.length;
  ok();

  check('a wrong API key raises AuthenticationError (401)');
  const stranger = new OpenAI({ ...options, apiKey: `${apiKey}-wrong` });
  await rejectsWith(stranger.models.list(), OpenAI.AuthenticationError, 401);
  await rejectsWith(stranger.chat.completions.create({ model, messages, max_tokens: 4, scene }), OpenAI.AuthenticationError, 401);
  ok();

  check('an unknown scene raises NotFoundError (404), streamed or not');
  await rejectsWith(client.chat.completions.create({ model, messages, max_tokens: 4, scene: 'no-such-room' }), OpenAI.NotFoundError, 404, 'scene');
  await rejectsWith(client.chat.completions.create({ model, messages, max_tokens: 4, scene: 'no-such-room', stream: true }),
    OpenAI.NotFoundError, 404, 'scene');
  ok();

  check('a bad prune spec raises BadRequestError (400)');
  await rejectsWith(client.chat.completions.create({ model, messages, max_tokens: 4, scene, prune: 'tau=7' }), OpenAI.BadRequestError, 400, 'prune');
  await rejectsWith(client.chat.completions.create({ model, messages, max_tokens: 4, scene, prune: 'keep=0.3,layer=99' }),
    OpenAI.BadRequestError, 400, 'prune');
  ok();
}

try {
  await main();
  result.checks = passed;
  console.log(`RESULT ${JSON.stringify(result)}`);
} catch (e) {
  console.log(`not ok - ${current}: ${String(e?.message ?? e).replaceAll('\n', ' ')}`);
  process.exitCode = 1;
}
