import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findBinary } from './binaries.js';
import { startProcess, type RunningProcess } from './child-process.js';
import { accepts, freePort } from './free-port.js';
import { selfSignedCertificate } from './tls-certificate.js';

export interface TestNginx {
  /** `https://127.0.0.1:PORT` */
  readonly origin: string;
  /** The protocol of each request nginx logged so far (`HTTP/2.0`, `HTTP/1.1`). */
  protocols(): Promise<string[]>;
  /** Every access log nginx wrote (the shipped config's, the protocol log, a combined one as Debian's nginx.conf has), one after another. */
  accessLogs(): Promise<string>;
  close(): Promise<void>;
}

const SHIPPED_CONFIG = new URL('../../../deploy/nginx/cometkit.conf', import.meta.url);

/**
 * A private nginx running the shipped deploy/nginx/cometkit.conf in front of
 * `upstreams` (loopback ports), on a free port with a fresh self-signed
 * certificate. Only the ports, certificate paths and server name differ
 * from the file in the docs.
 */
export async function startNginx(upstreams: readonly number[]): Promise<TestNginx> {
  const binary = findBinary('nginx');
  if (!binary) throw new Error('nginx is not installed (apt-get install -y nginx).');
  const dir = await mkdtemp(join(tmpdir(), 'cometkit-nginx-'));
  await mkdir(join(dir, 'logs'));
  const port = await freePort();
  const { cert, key } = await selfSignedCertificate(dir);
  const shipped = await readFile(SHIPPED_CONFIG, 'utf8');
  // The shipped line's parameters (max_fails…), with the test's ports.
  const parameters = /^ {4}server 127\.0\.0\.1:\d+( [^;\n]*)?;/m.exec(shipped)?.[1] ?? '';
  const servers = upstreams.map((upstream) => `    server 127.0.0.1:${upstream}${parameters};`).join('\n');
  let rendered = shipped
    .replace(/^ {4}server 127\.0\.0\.1:\d+ .*\n/gm, '')
    .replace(/^(upstream cometkit \{\n(?: {4}#.*\n)*)/m, `$1${servers}\n`)
    .replace(/listen 443 ssl http2;/, `listen 127.0.0.1:${port} ssl http2;`)
    .replace(/^( +)server_name [^;\n]+;/m, '$1server_name 127.0.0.1 localhost;')
    .replace(/^( +)ssl_certificate +\S+;/m, `$1ssl_certificate ${cert};`)
    .replace(/^( +)ssl_certificate_key +\S+;/m, `$1ssl_certificate_key ${key};`)
    // The shipped log, in the test's folder; and the protocol log the tests read, which the location's own access_log would otherwise replace.
    .replace(/^( +)access_log \S+ cometkit;/m, `$1access_log ${dir}/logs/cometkit.access.log cometkit;\n$1access_log ${dir}/logs/access.log protocol;`);
  if (rendered === shipped || !rendered.includes(servers) || !rendered.includes(`:${port} ssl`)) {
    throw new Error('deploy/nginx/cometkit.conf no longer has the lines the tests replace (upstream servers, listen, certificates).');
  }
  await writeFile(join(dir, 'cometkit.conf'), rendered);
  const isRoot = process.getuid?.() === 0;
  await writeFile(
    join(dir, 'nginx.conf'),
    `${isRoot ? 'user root;\n' : ''}daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 2048; }
http {
    log_format protocol '$server_protocol $request_method $uri $status $upstream_addr';
    access_log ${dir}/logs/access.log protocol;
    # As Debian's nginx.conf does: what a site's own config inherits unless it says otherwise.
    access_log ${dir}/logs/combined.log combined;
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${dir}/cometkit.conf;
}
`,
  );
  const running: RunningProcess = startProcess(binary, ['-c', join(dir, 'nginx.conf'), '-p', dir, '-e', join(dir, 'logs/error.log')]);
  // nginx prints nothing when it is up: wait until its port takes a connection.
  const deadline = Date.now() + 30_000;
  while (!(await accepts(port))) {
    if (running.child.exitCode !== null || Date.now() > deadline) {
      const log = await readFile(join(dir, 'logs/error.log'), 'utf8').catch(() => '');
      await running.stop('SIGKILL');
      throw new Error(`nginx did not start: ${running.output()}${log}`);
    }
    await sleep(20);
  }
  return {
    origin: `https://127.0.0.1:${port}`,
    async protocols() {
      const log = await readFile(join(dir, 'logs/access.log'), 'utf8').catch(() => '');
      return log.split('\n').filter(Boolean).map((line) => line.split(' ')[0]!);
    },
    async accessLogs() {
      const names = (await readdir(join(dir, 'logs'))).filter((name) => name !== 'error.log');
      return (await Promise.all(names.map((name) => readFile(join(dir, 'logs', name), 'utf8')))).join('');
    },
    async close() {
      await running.stop('SIGQUIT');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

