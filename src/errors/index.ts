export { CometError, isCometError, type ClientErrorCode, type CometErrorCode } from './comet-error.js';
export { HttpStatusError, isHttpStatusError } from './http-status-error.js';
export { MalformedFrameError } from './malformed-frame-error.js';
export { NetworkError } from './network-error.js';
export { ProtocolError } from './protocol-error.js';
export { StreamTimeoutError } from './stream-timeout-error.js';
export { ModuleLoadError } from './module-load-error.js';
