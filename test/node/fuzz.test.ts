/**
 * Throws seeded, malformed HTTP at every endpoint of the standalone server
 * (raw sockets, loopback only) and checks that the process stays up and
 * every answer is a 2xx or 4xx with the documented shape.
 *
 * FUZZ_ITERATIONS raises the count (default 1500, a few seconds); FUZZ_SEED
 * replays a run. The seed is printed so a failure can be replayed exactly.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { rawRequest, type RawAnswer } from '../support/raw-http.js';

const ITERATIONS = Math.max(1, Number(process.env['FUZZ_ITERATIONS'] ?? 1500));
const SEED = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31);
const CONCURRENCY = 16;
const here = dirname(fileURLToPath(import.meta.url));

/** mulberry32: small, seedable, good enough to pick test inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (max: number): number => Math.floor(random() * max);
const bytes = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(int(256))).join('');
const printable = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join('');
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const b64 = (text: string): string => Buffer.from(text).toString('base64url');
const hs256 = (payload: string, secret = 'fuzz-token-secret'): string => {
  const head = b64('{"alg":"HS256","typ":"JWT"}');
  const body = b64(payload);
  return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
};

const PATHS = [
  '/comet/sse', '/comet/iframe', '/comet/poll', '/comet/history', '/comet/publish', '/comet/presence', '/comet/presence/leave', '/comet/health', '/demo/notify', '/comet/nope', '/comet', '/', '/dist/', '/demo/../../etc/passwd',
  '/comet/inbox', '/comet/inbox/notify', '/comet/inbox/preferences', '/comet/inbox/action', '/comet/inbox/snooze', '/comet/inbox/state',
];
const METHODS = ['GET', 'POST', 'OPTIONS', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'BREW', 'G\x00T', 'get', ''];
/** The hashed inbox channel of the user "élodie": a user named "h.<the hash>" must not own it. */
const HASHED_INBOX = 'inbox:h.NrrCYx0XRj1Wnq8bhp57-NQORjb9iyt3';
const CHANNELS = ['pub.a', 'pub.b', 'priv.x', '', '*', 'pub.*', 'a b', 'pub.' + 'x'.repeat(130), '%ff', '%00', 'presence:pub.a', 'pub.é', 'pub.a,b', '../x', '<script>', 'inbox:victim', 'inbox:*', HASHED_INBOX, 'presence:priv.x', 'inbox%3Avictim'];
const POSITIONS = () => pick(['e-1', 'zzzz-9', `${printable(3)}-${int(1e6)}`, 'e-999999999999999', 'e-' + '9'.repeat(20), '-1', 'E-1', '']);
const CURSORS = () => pick([`pub.a=${POSITIONS()}`, `pub.a=${POSITIONS()},pub.b=${POSITIONS()}`, printable(int(40)), ',,,', '=', 'pub.a=e-1'.repeat(int(500)), encodeURIComponent(bytes(int(30)))]);
const TOKENS = () =>
  pick([
    printable(int(60)),
    'a.b.c',
    '...',
    hs256('{"sub":"u","channels":["*"]}') + pick(['', 'A', '=', '==', '.', '%20']),
    hs256(JSON.stringify({ sub: pick(['u', HASHED_INBOX.slice('inbox:'.length), 'h.victim']), channels: pick([['*'], ['in*'], ['i*'], ['inbox*'], ['p*', 'pres*'], ['presence*'], ['*', 'presence:pub.*']]) })),
    hs256(JSON.stringify({ sub: 'u', channels: ['*'], exp: Math.floor(Date.now() / 1000) + pick([-60, 1, 2]) })),
    hs256('{"sub":"u","exp":"soon"}'),
    hs256('{"sub":"u","nbf":99999999999}'),
    hs256('{"sub":""}'),
    hs256('not json'),
    hs256('{"sub":"u","channels":"*"}'),
    hs256('{"sub":"u"}', 'wrong-secret'),
    `${b64('{"alg":"none"}')}.${b64('{"sub":"u"}')}.`,
    'x'.repeat(9000),
  ]);
const FORWARDED = () =>
  pick(['203.0.113.7', '6.6.6.6, 127.0.0.1', '::ffff:10.0.0.1', '10.0.0.0/8', 'unknown', ', , ,', '127.0.0.1, '.repeat(int(300)), printable(int(60)), '[::1]:80', '999.1.1.1']);
const WAITS = () => pick(['0', '-1', '1.5', 'abc', '1e400', '', '10', String(2 ** 60)]);
const ORIGINS = () => pick(['http://app.example', 'http://app.example;script-src *', 'javascript:alert(1)', 'null', 'http://[::1', 'http://a b', printable(int(30)), '']);

function query(): string {
  const params: string[] = [];
  for (let i = int(4); i > 0; i -= 1) params.push(`ch=${pick(CHANNELS)}`);
  const extras: Array<() => string> = [
    () => `cursor=${CURSORS()}`,
    () => `token=${TOKENS()}`,
    () => `wait=${WAITS()}`,
    () => `limit=${pick(['0', '1', '-5', '1e9', 'x', '50', '1000'])}`,
    () => `session=${pick(['sess-12345678', 'short', printable(int(80)), '%00%00%00%00%00%00%00%00'])}`,
    () => `user=${pick(['ada', '', printable(int(200)), '%0a%0d'])}`,
    () => `name=${pick(['Ada', '<img src=x onerror=alert(1)>', '%e2%80%ae', printable(int(100))])}`,
    () => `origin=${encodeURIComponent(ORIGINS())}`,
    () => `${printable(int(10))}=${printable(int(10))}`,
    () => '%',
    () => '&&&==',
  ];
  for (let i = int(5); i > 0; i -= 1) params.push(pick(extras)());
  return params.join('&');
}

function target(): string {
  return pick<() => string>([
    () => `${pick(PATHS)}?${query()}`,
    () => `${pick(PATHS)}?${query()}`,
    () => `${pick(PATHS)}?${query()}`,
    () => `${pick(PATHS)}?${query()}`,
    () => `${pick(PATHS)}?${query()}`,
    () => `${pick(PATHS)}?${query()}`,
    () => pick(['//[', '/%ff', '/%', '/%2e%2e/%2e%2e/etc/passwd', '*', 'http://x/comet/health', 'http://[/', '/comet/sse?ch=%ff', '/\\\\evil', '/comet/%ff', '/%c0%af']),
    () => '/' + printable(int(200)),
    () => '/comet/' + bytes(int(20)).replace(/[\r\n ]/g, ''),
    () => '/' + 'a/'.repeat(2000),
  ])();
}

function body(): string {
  return pick<() => string>([
    () => JSON.stringify({ channel: pick(CHANNELS), type: pick(['message', '', 'x'.repeat(70), 'a b']), data: pick([null, 1, 'x', [1, 2], { a: 1 }]) }),
    () => `{"channel":"pub.a","data":${nested(1000 + int(4000))}}`,
    () => `[${Array.from({ length: 1 + int(120) }, () => '{"channel":"pub.a","data":1}').join(',')}]`,
    () => `[{"channel":"pub.a","data":1},{"channel":"pub.a","data":${nested(200)}}]`,
    () => '{"channel":"pub.a","data":1e999}',
    () => '{"channel":"pub.a"}',
    () => '[]',
    () => printable(int(200)),
    () => bytes(int(200)),
    () => '{"__proto__":{"channel":"pub.a"},"channel":"pub.a","data":1}',
    () => '"' + '\\ud800'.repeat(int(50)) + '"',
    () => JSON.stringify({ user: pick(['u', '', 'x'.repeat(200)]), data: { title: printable(int(40)), body: pick(['**b** _i_ `c` [l](javascript:alert(1))', printable(int(300))]) }, ...richFields() }),
    () => JSON.stringify(pick<unknown>([{ enabled: pick([true, 'no', null]) }, { categories: { [pick(['comments', 'security', '__proto__', 'a b', 'x'.repeat(70)])]: { inbox: pick([true, false, 'off']), toast: false } } }, { categories: Object.fromEntries(Array.from({ length: int(130) }, (_, i) => [`c${i}`, { push: false }])) }])),
    () => JSON.stringify({ id: pick([1, 0, -1, 2 ** 60, '1', null]), action: pick(['approve', '', '<script>', 'x'.repeat(70)]) }),
    () => JSON.stringify({ ids: pick([[1], [], Array.from({ length: 600 }, (_, i) => i), ['1']]), until: pick([Date.now() + 200, Date.now() - 1, 1e300, 'soon', Date.now() + 400 * 86_400_000]) }),
    () => `{"user":"u","data":1,"actions":${nested(500 + int(2000))}}`,
  ])();
}

/** A notification's rich fields, each valid, oversized or hostile at random. */
function richFields(): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (random() < 0.5) fields['category'] = pick(['comments', 'security', '', 'a b', 'x'.repeat(70), '__proto__']);
  if (random() < 0.5) fields['severity'] = pick(['info', 'error', 'fatal', 1, null]);
  if (random() < 0.5) fields['avatar'] = pick(['https://example.com/a.png', 'javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'data:image/png;base64,AAAA', `https://x/${'a'.repeat(3000)}`, '/rel.png', 7]);
  if (random() < 0.5) fields['actor'] = pick(['Ada', '', 'x'.repeat(70), 'A\u202eB', '<img src=x onerror=alert(1)>', 'a\nb']);
  if (random() < 0.5) fields['group'] = pick(['thread:1', '', 'g'.repeat(200), 'a\u0000b']);
  if (random() < 0.5) {
    fields['actions'] = pick<unknown>([
      [{ id: 'approve', label: 'Approve', kind: 'primary' }],
      [{ id: 'a', label: 'A', kind: 'primary', url: pick(['https://example.com', 'javascript:alert(1)', 'vbscript:x']) }],
      Array.from({ length: 3 + int(5) }, (_, i) => ({ id: `a${i}`, label: 'L', kind: 'secondary' })),
      [{ id: 'a', label: 'x'.repeat(100), kind: 'danger' }],
      'approve',
      [null, 1, []],
    ]);
  }
  return fields;
}

/** `broken`: the framing itself is hostile (Node's parser answers); otherwise only the content is. */
function headers(payload: string, broken: boolean): string[] {
  const lines: string[] = ['Host: ' + (broken ? pick(['127.0.0.1', 'evil.example', '', printable(int(40))]) : pick(['127.0.0.1', 'evil.example', 'localhost:1']))];
  const add = (line: string): void => {
    lines.push(line);
  };
  if (random() < 0.5) add(`Authorization: ${pick(['Bearer fuzz-publish-key', 'Bearer ', 'Basic xyz', `Bearer ${TOKENS()}`, 'Bearer fuzz-publish-key-but-longer'])}`);
  if (random() < 0.3) add(`Origin: ${ORIGINS()}`);
  if (random() < 0.3) add(`Last-Event-ID: ${CURSORS()}`);
  if (random() < 0.3) add(`X-Forwarded-For: ${FORWARDED()}`);
  if (random() < 0.3) add(`Idempotency-Key: ${pick(['fuzz-key-12345678', 'short', printable(int(200)).replace(/:/g, ''), ''])}`);
  if (random() < 0.6) add(`Content-Type: ${pick(['application/json', 'text/plain', 'application/json; charset=utf-8', '', 'application/jsonx'])}`);
  if (broken && random() < 0.3) add(`X-Junk: ${bytes(int(40)).replace(/[\r\n]/g, '')}`);
  if (broken && random() < 0.2) add(`${printable(int(20)).replace(/:/g, '')}: x`);
  if (broken && random() < 0.1) add(`X-Big: ${'x'.repeat(20_000)}`);
  const length = Buffer.byteLength(payload, 'latin1');
  if (!broken) add(random() < 0.9 ? `Content-Length: ${length}` : 'Transfer-Encoding: chunked');
  else add(
    pick([
      `Content-Length: ${length}`,
      `Content-Length: ${length}`,
      `Content-Length: ${length + 10}`,
      `Content-Length: -1`,
      `Content-Length: abc`,
      `Content-Length: ${length}\r\nContent-Length: ${length + 1}`,
      'Transfer-Encoding: chunked',
      'Transfer-Encoding: gzip, chunked',
    ]),
  );
  add('Connection: close');
  return lines;
}

/** A well-formed read of a reserved channel with a token whose patterns are wildcards, or whose user spells a hashed inbox: always refused. */
function reservedRead(): string {
  const reserved = pick(['inbox:victim', HASHED_INBOX, 'presence:priv.x']);
  const path = pick(['sse', 'iframe', 'poll', 'history', 'presence']);
  const channel = path === 'presence' ? (reserved.startsWith('presence:') ? 'priv.x' : 'pub.a') : reserved;
  const sub = pick(['u', HASHED_INBOX.slice('inbox:'.length), 'victim-not']);
  const token = hs256(JSON.stringify({ sub, channels: pick([['*'], ['in*'], ['i*'], ['inbox*'], ['p*'], ['presence*'], ['*', 'pres*', 'inb*']]) }));
  const params = new URLSearchParams({ ch: channel, wait: '0', origin: 'http://app.example' });
  if (random() < 0.5) params.set('token', token);
  const auth = params.has('token') ? '' : `Authorization: Bearer ${token}\r\n`;
  return `GET /comet/${path}?${params} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Connection: close\r\n\r\n`;
}

function request(): string {
  if (random() < 0.1) return reservedRead();
  const broken = random() < 0.2;
  const payload = random() < 0.5 ? body() : '';
  const method = broken ? pick(METHODS) : pick(['GET', 'GET', 'POST', 'POST', 'OPTIONS', 'HEAD', 'PUT']);
  const version = broken ? pick(['HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', 'FOO']) : 'HTTP/1.1';
  const head = broken && random() < 0.2 ? printable(int(60)) : `${method} ${target()} ${version}`;
  const lines = headers(payload, broken);
  const chunked = lines.some((line) => line.startsWith('Transfer-Encoding'));
  const end = broken ? pick(['0\r\n\r\n', 'zz\r\n', '']) : '0\r\n\r\n';
  const sent = chunked ? `${Buffer.byteLength(payload, 'latin1').toString(16)}\r\n${payload}\r\n${end}` : payload;
  return `${head}\r\n${lines.join('\r\n')}\r\n\r\n${sent}`;
}

/** The documented shape: a 2xx or 4xx (the only 5xx allowed is none: limits are far away here), nosniff, JSON errors. */
function checkAnswer(answer: RawAnswer, sent: string): void {
  const context = `seed ${SEED}; request ${JSON.stringify(sent.slice(0, 300))}`;
  assert.ok((answer.status >= 200 && answer.status < 300) || (answer.status >= 400 && answer.status < 500), `status ${answer.status}; ${context}`);
  assert.equal(answer.headers['x-content-type-options'], 'nosniff', `nosniff on ${answer.status}; ${context}`);
  // A HEAD answer has the head of the GET answer and no body.
  if (sent.startsWith('HEAD ')) return;
  if (answer.status >= 400 && answer.headers['content-type']?.startsWith('application/json')) {
    let parsed;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      assert.fail(`a ${answer.status} whose body is not JSON: ${JSON.stringify(answer.body.slice(0, 200))}; ${context}`);
    }
    parsed = parsed as { error?: { code?: unknown; message?: unknown } };
    assert.equal(typeof parsed.error?.code, 'string', context);
    assert.equal(typeof parsed.error?.message, 'string', context);
  } else if (answer.status >= 400) {
    // The iframe posts its refusals as a script: the only non-JSON error body.
    assert.match(answer.headers['content-type'] ?? '', /^text\/html/, `a ${answer.status} that is neither JSON nor an iframe refusal; ${context}`);
    assert.match(answer.body, /p\("error",\{"status":4\d\d,"code":"[a-z-]+"/, context);
  }
}

/** Reads of others' inboxes and of private rosters, however spelled: any 2xx is a leak (the fuzz tokens' own inbox is inbox:u, never asked for). */
function checkReserved(answer: RawAnswer, sent: string): void {
  const line = /^GET (\/comet\/(sse|iframe|poll|history|presence))\?(\S*) HTTP\/1\.1\r\n/.exec(sent);
  if (!line || answer.status < 200 || answer.status >= 300) return;
  let channels: string[];
  try {
    channels = new URLSearchParams(line[3]).getAll('ch');
  } catch {
    return;
  }
  const read = line[2] === 'presence' ? channels.map((channel) => `presence:${channel}`) : channels;
  const leaked = read.find((channel) => channel.startsWith('inbox:') || channel.startsWith('presence:priv'));
  assert.equal(leaked, undefined, `a ${answer.status} reading reserved channel ${leaked}; seed ${SEED}; request ${JSON.stringify(sent.slice(0, 300))}`);
}

describe('fuzzing every endpoint with malformed requests', () => {
  let child: ChildProcess;
  let port = 0;
  let stderr = '';
  before(async () => {
    child = spawn(process.execPath, ['--import', 'tsx', join(here, '../support/fuzz-target.ts')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /port (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.on('exit', (code) => reject(new Error(`fuzz target exited (${code}) before listening: ${stderr}`)));
    });
  });
  after(() => {
    child.kill('SIGTERM');
  });

  it('stays up and answers every request with a documented 2xx/4xx', { timeout: 120_000 }, async () => {
    console.log(`fuzz: seed ${SEED}, ${ITERATIONS} requests (FUZZ_SEED=${SEED} replays this run)`);
    let answered = 0;
    let closedWithoutAnswer = 0;
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ITERATIONS) {
        next += 1;
        const sent = request();
        const answer = await rawRequest(port, Buffer.from(sent, 'latin1'));
        assert.equal(child.exitCode, null, `the server process exited; seed ${SEED}; last request ${JSON.stringify(sent.slice(0, 300))}; ${stderr}`);
        if (!answer || answer.status === 0) {
          // Only Node's parser may hang up without an answer (e.g. a request line it cannot read at all).
          closedWithoutAnswer += 1;
          continue;
        }
        answered += 1;
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        checkAnswer(answer, sent);
        checkReserved(answer, sent);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    console.log(`fuzz: ${answered} answered, ${closedWithoutAnswer} closed without an answer; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);

    assert.ok(answered > ITERATIONS * 0.9, `most requests get an answer (${answered} of ${ITERATIONS})`);
    const health = await rawRequest(port, 'GET /comet/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(health?.status, 200, 'the server still answers after the run');
    assert.equal(child.exitCode, null);
    assert.doesNotMatch(stderr, /unexpected error|Error:/, 'nothing alarming was logged');
  });
});
