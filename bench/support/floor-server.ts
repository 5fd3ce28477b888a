/**
 * The floor of the capacity benchmark past one process: bare `node:http`
 * SSE servers in `--workers N` node:cluster workers on one port, the least
 * any server must do. A stream gets a hello and then every published frame;
 * `POST /comet/publish` with a JSON body reaches whichever worker took that
 * connection, which hands the body to the primary, which hands it to every
 * worker (IPC, the cheapest bus between processes); each builds the frame
 * once and writes it to each of its streams. No history, no auth, no ids.
 *
 * `node --import tsx floor-server.ts --workers N --port P` prints
 * `floor listening on P` once every worker listens.
 */
import cluster, { type Worker } from 'node:cluster';
import { createServer, type ServerResponse } from 'node:http';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const workers = option('workers', 1);
const port = option('port', 0);
const SSE_HEADERS = { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform' };

if (cluster.isPrimary) {
  const all: Worker[] = [];
  let listening = 0;
  let stopping = false;
  cluster.on('listening', () => {
    listening += 1;
    if (listening === workers) console.log(`floor listening on ${port} (${workers} workers)`);
  });
  cluster.on('message', (_worker, message: { publish?: string }) => {
    if (typeof message.publish !== 'string') return;
    for (const worker of all) worker.send(message);
  });
  cluster.on('exit', () => {
    // A floor worker that dies is a failed measurement, not something to repair.
    if (!stopping) console.error('a floor worker died');
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(stopping ? 0 : 1);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopping = true;
      for (const worker of all) worker.process.kill('SIGKILL');
    });
  }
  for (let slot = 0; slot < workers; slot++) all.push(cluster.fork());
} else {
  // The primary gone (killed with the bench that started it): no worker outlives it.
  process.on('disconnect', () => process.exit(0));
  const open = new Set<ServerResponse>();
  process.on('message', (message: { publish?: string }) => {
    if (typeof message.publish !== 'string') return;
    const frame = Buffer.from(`data: ${message.publish}\n\n`);
    for (const stream of open) stream.write(frame);
  });
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    if (req.url?.startsWith('/comet/sse')) {
      res.writeHead(200, SSE_HEADERS);
      res.write('event: hello\ndata: {}\n\n');
      open.add(res);
      req.on('close', () => open.delete(res));
      return;
    }
    if (req.method === 'POST' && req.url === '/comet/publish') {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > 4096) req.destroy();
        else chunks.push(chunk);
      });
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{}');
        process.send!({ publish: Buffer.concat(chunks).toString() });
      });
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ ok: true, streams: open.size }));
  });
  server.listen(port, '127.0.0.1', 4096);
}
