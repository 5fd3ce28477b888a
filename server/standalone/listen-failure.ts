/** The exit code of a process that could not listen: its primary stops at once instead of starting it again. */
export const LISTEN_FAILED_EXIT = 3;

/** One line for a server that could not listen, saying what to do about it. */
export function listenFailure(error: NodeJS.ErrnoException, host: string, port: number): string {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `${where} is already in use (another cometkit-server?): stop what holds it, or pick another port with --port (PORT).`;
    case 'EACCES':
      return `not allowed to listen on ${where}: ports below 1024 need privileges; pick another with --port (PORT).`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine: pick another with --host (HOST), e.g. 127.0.0.1 or 0.0.0.0.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name ${host} does not resolve: pick another with --host (HOST).`;
    default:
      return `could not listen on ${where}: ${error.message}`;
  }
}
