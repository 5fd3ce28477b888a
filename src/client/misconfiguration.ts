/**
 * The errors no retry can fix because the page or the server is set up
 * wrong: the development build says each once on the console, with its fix,
 * where an author looks first. The client calls this under `DEV` only, so
 * production carries none of it.
 */
import type { CometError } from '../errors/comet-error.js';
import { warn } from '../dev.js';

const FIXES: Record<string, string> = {
  'origin-not-allowed': "list this page's origin in the push server's COMET_ALLOWED_ORIGINS (the allowedOrigins option)",
  'not-found': "give the client the push server's base URL as `url` (the path its /sse answers under, e.g. https://push.example.com/comet)",
  unreachable: "start the push server, or give the client its right `url`; a server on another origin must send CORS headers (cometkit's does)",
};

const said = new Set<string>();

export function logMisconfiguration(error: CometError | undefined): void {
  const fix = error && FIXES[error.code];
  if (!fix || said.has(error.code)) return;
  said.add(error.code);
  warn('misconfigured', `${error.code}: ${error.message} To fix: ${fix}.`);
}
