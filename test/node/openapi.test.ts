/**
 * docs/openapi.json against the server: the same endpoints both ways, and
 * every example request valid by the document's schemas, answered with the
 * status it documents and a body its schema allows.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { signToken } from '../../server/auth/token.js';
import { devTokens } from '../../server/standalone/dev-tokens.js';
import { validate } from '../support/json-schema.js';
import { startServer, type TestServer } from '../support/node-server.js';

type Json = Record<string, unknown>;
interface Example {
  readonly query?: Record<string, string | string[]>;
  readonly path?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  readonly status: number;
  readonly code?: string;
  /** The body breaks the request schema on purpose: the schema must say so too. */
  readonly invalid?: boolean;
}
interface Operation {
  readonly operationId: string;
  readonly requestBody?: { content: Record<string, { schema: Json }> };
  readonly responses: Record<string, { content?: Record<string, { schema: Json }>; 'x-codes'?: string[] }>;
  readonly 'x-examples'?: Example[];
}

const doc = JSON.parse(readFileSync(fileURLToPath(new URL('../../docs/openapi.json', import.meta.url)), 'utf8')) as Json & { paths: Record<string, Record<string, Operation>> };
const METHODS = ['get', 'post', 'put', 'delete', 'patch'];
const PUBLISH_KEY = 'publish-key-for-openapi-tests';
const SECRET = 'token-secret-for-openapi-tests';
const built = existsSync(fileURLToPath(new URL('../../dist/browser-files.json', import.meta.url)));

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly text: string;
}

/** Sends a request; a stream's body is not waited for (it does not end), only its status and type. */
function send(url: string, method: string, headers: Record<string, string>, body: string | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}) }, agent: false }, (res) => {
      const type = String(res.headers['content-type'] ?? '');
      if (res.statusCode === 200 && /^text\/(event-stream|html)/.test(type)) {
        res.destroy();
        resolve({ status: 200, type, text: '' });
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function operations(): Array<{ path: string; method: string; operation: Operation }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ path, method, operation })),
  );
}

describe('docs/openapi.json', () => {
  let server: TestServer;
  let values: Record<string, unknown>;

  before(async () => {
    server = await startServer(
      {
        publishKey: PUBLISH_KEY,
        tokenSecret: SECRET,
        publicChannels: ['news', 'ticker', 'room.*'],
        allowedOrigins: '*',
        inbox: { onAction: () => ({ label: 'Approved' }) },
        metrics: true,
      },
      (comet) => {
        const tokens = devTokens(comet, SECRET);
        return (req, res) => void tokens(req, res).then((answered) => answered || comet(req, res));
      },
    );
    values = {
      '{userToken}': await signToken({ sub: 'ada', channels: ['*', 'presence:room.*'], publish: ['room.*'] }, SECRET),
      '{publishKey}': PUBLISH_KEY,
      '{serverOrigin}': server.origin,
      '{inOneHour}': Date.now() + 3_600_000,
    };
  });
  after(async () => {
    await server?.close();
  });

  /** Placeholders replaced anywhere in an example: whole values keep their type (a number stays one). */
  const fill = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (Object.hasOwn(values, value)) return values[value];
      return value.replace(/\{[A-Za-z]+\}/g, (name) => (Object.hasOwn(values, name) ? String(values[name]) : name));
    }
    if (Array.isArray(value)) return value.map(fill);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item)]));
    return value;
  };

  it('documents every endpoint the server routes, with its methods, and no other', () => {
    const routed = new Map(server.comet.endpoints.map(({ path, methods }) => [path, [...methods].sort()]));
    // Served beside the routes: cometkit's browser files, and --dev's tokens.
    routed.set('/cometkit/{file}', ['GET']);
    routed.set('/dev-token', ['GET']);
    const documented = new Map(Object.entries(doc.paths).map(([path, item]) => [path, Object.keys(item).filter((m) => METHODS.includes(m)).map((m) => m.toUpperCase()).sort()]));
    assert.deepEqual(Object.fromEntries([...documented].sort()), Object.fromEntries([...routed].sort()));
  });

  it('has a path on the running server for every documented one: none answers 404', async () => {
    for (const { path, method } of operations()) {
      if (path === '/cometkit/{file}' && !built) continue;
      const target = path.replace('{file}', 'cometkit.iife.js');
      const answer = await send(`${server.base}${target}`, method.toUpperCase(), {}, undefined);
      assert.notEqual(answer.status, 404, `${method.toUpperCase()} ${path}: ${answer.text}`);
    }
  });

  it('gives an example to every operation, valid by its schemas and answered as documented', async (t) => {
    for (const { path, method, operation } of operations()) {
      const examples = operation['x-examples'] ?? [];
      // An operation whose success needs what a loopback test cannot have says so, and sends its refusal.
      if (!(operation as { 'x-success-needs'?: string })['x-success-needs']) assert.ok(examples.some((example) => example.status < 300), `${operation.operationId} has no example that succeeds`);
      for (const raw of examples) {
        const example = fill(raw) as Example;
        const name = `${method.toUpperCase()} ${path} → ${example.status}${example.code ? ` ${example.code}` : ''}`;
        if (path === '/cometkit/{file}' && example.status === 200 && !built) {
          t.diagnostic(`${name}: skipped, dist/ is not built`);
          continue;
        }
        const schema = operation.requestBody?.content['application/json']?.schema;
        if (example.body !== undefined) {
          assert.ok(schema, `${name}: a body for an operation that documents none`);
          const problems = validate(example.body, schema, doc);
          if (example.invalid) assert.notDeepEqual(problems, [], `${name}: the schema allows a body the server refuses`);
          else assert.deepEqual(problems, [], `${name}: the example body`);
        }
        const query = new URLSearchParams();
        for (const [key, value] of Object.entries(example.query ?? {})) for (const item of ([] as string[]).concat(value)) query.append(key, item);
        const target = path.replace(/\{(\w+)\}/g, (_m, key: string) => encodeURIComponent(example.path?.[key] ?? ''));
        const answer = await send(`${server.base}${target}${query.size > 0 ? `?${query}` : ''}`, method.toUpperCase(), example.headers ?? {}, example.body === undefined ? undefined : JSON.stringify(example.body));
        assert.equal(answer.status, example.status, `${name}: ${answer.text.slice(0, 300)}`);
        const documented = operation.responses[String(answer.status)];
        assert.ok(documented, `${name}: status ${answer.status} is not documented`);
        const [type, media] = Object.entries(documented.content ?? {})[0] ?? [];
        if (type && media) assert.ok(answer.type.startsWith(type), `${name}: answered ${answer.type}, documented ${type}`);
        if (type === 'application/json' && media) {
          const json = JSON.parse(answer.text) as unknown;
          assert.deepEqual(validate(json, media.schema, doc), [], `${name}: the answer ${answer.text.slice(0, 300)}`);
          if (answer.status >= 400) {
            const code = (json as { error: { code: string } }).error.code;
            if (example.code) assert.equal(code, example.code, name);
            assert.ok(documented['x-codes']?.includes(code), `${name}: code ${code} is not among those documented for ${answer.status}`);
          }
        }
      }
    }
  });

  it('checks with a validator that refuses what the schemas do not allow', () => {
    const event = { $ref: '#/components/schemas/Event' };
    assert.deepEqual(validate({ id: 'e-1', channel: 'news', type: 'x', data: null, time: 1 }, event, doc), []);
    assert.notDeepEqual(validate({ id: 'e-1', channel: 'bad channel', type: 'x', data: null, time: 1 }, event, doc), []);
    assert.notDeepEqual(validate({ id: 'e-1', channel: 'news', type: 'x', time: 1.5 }, event, doc), []);
    assert.notDeepEqual(validate({ ids: [1], upTo: 2 }, { $ref: '#/components/schemas/InboxStateInput' }, doc), []);
    assert.match(validate('x', { format: 'uri' }, doc).join(), /does not know/);
  });
});

describe('docs/openapi.json webhooks: what the server asks the application', () => {
  it('sends connect and subscribe questions its schemas describe, and acts on answers they allow', async () => {
    const questions: Array<{ hook: string; signature: string; body: unknown }> = [];
    const backend = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
        questions.push({ hook: String(req.headers['comet-hook']), signature: String(req.headers['comet-signature']), body });
        const answer = body['hook'] === 'connect' ? { allow: true, user: 'ada', name: 'Ada', channels: ['room.*'] } : { allow: true, channels: ['room.1'] };
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    const server = await startServer({ hooks: { secret: 'hook-secret-for-openapi-tests', connect: `${url}/c`, subscribe: `${url}/s` } });
    try {
      const answer = await send(`${server.base}/history?ch=room.1&ch=room.2`, 'GET', { Cookie: 'session=1', Origin: server.origin }, undefined);
      assert.equal(answer.status, 200, answer.text);
      const hooks = (doc as unknown as { webhooks: Record<string, { post: Operation & { parameters: Array<{ name: string; schema: Json }> } }> }).webhooks;
      for (const [name, hook] of [['connectHook', 'connect'], ['subscribeHook', 'subscribe']] as const) {
        const question = questions.find((q) => q.hook === hook);
        assert.ok(question, `no ${hook} question`);
        const operation = hooks[name]!.post;
        assert.deepEqual(validate(question.body, operation.requestBody!.content['application/json']!.schema, doc), [], `${hook} question`);
        const signature = operation.parameters.find((p) => p.name === 'Comet-Signature')!.schema;
        assert.deepEqual(validate(question.signature, signature, doc), [], `${hook} signature`);
        const answerSchema = operation.responses['200']!.content!['application/json']!.schema;
        assert.deepEqual(validate(hook === 'connect' ? { allow: true, user: 'ada', name: 'Ada', channels: ['room.*'] } : { allow: true, channels: ['room.1'] }, answerSchema, doc), []);
        assert.notDeepEqual(validate({ allow: 'yes' }, answerSchema, doc), [], `${hook}: an answer the server refuses`);
      }
    } finally {
      await server.close();
      backend.closeAllConnections();
      await new Promise((resolve) => backend.close(resolve));
    }
  });
});
