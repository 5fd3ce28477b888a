/**
 * jose and @redis/client are optional peer dependencies: a browser app that
 * installs cometkit for its elements does not get them (ARCHITECTURE.md,
 * "Packaging"). The server loads each only where it is needed and, when it
 * is not installed, says which package to install for which feature.
 */
export class MissingDependencyError extends Error {
  override readonly name = 'MissingDependencyError';
  readonly code = 'dependency-missing';
  constructor(
    readonly packageName: string,
    feature: string,
    cause?: unknown,
  ) {
    super(`cometkit server: ${feature} needs the package "${packageName}", which is not installed. Install it beside cometkit: npm install ${packageName}`, { cause });
  }
}

/** True when `error` says that `packageName` itself could not be found (not a module inside it, nor one it needs). */
export function isMissing(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  return typeof message === 'string' && (message.includes(`'${packageName}'`) || message.includes(`"${packageName}"`));
}
