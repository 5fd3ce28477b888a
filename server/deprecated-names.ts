import { HttpStatusError } from './http/http-error.js';

let httpErrorNoted = false;

/**
 * @deprecated Renamed {@link HttpStatusError}, the name the browser SDK gives
 * the same refusal. `HttpError` goes in the next release.
 */
export class HttpError extends HttpStatusError {
  constructor(...args: ConstructorParameters<typeof HttpStatusError>) {
    super(...args);
    // Once per process, and not in production: a hook that throws it on every refused send would say it every time.
    if (httpErrorNoted || process.env.NODE_ENV === 'production') return;
    httpErrorNoted = true;
    process.emitWarning('HttpError is renamed HttpStatusError (the name the browser SDK gives the same refusal); the old name goes in the next release.', {
      type: 'DeprecationWarning',
      code: 'COMETKIT_HTTP_ERROR',
    });
  }
}
