import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where `name` is on PATH (or in the sbin folders Debian puts nginx in), or undefined. */
export function findBinary(name: string): string | undefined {
  const folders = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const folder of folders) {
    if (!folder) continue;
    const path = join(folder, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The binaries a scale-out suite needs, or a reason to skip it. With
 * CI=true a missing binary throws: CI installs them, so their absence is a
 * broken setup, not something to skip past.
 */
export function scaleOutBinaries(names: readonly string[]): { skip: string | false } {
  const missing = names.filter((name) => !findBinary(name));
  if (missing.length === 0) return { skip: false };
  const message = `${missing.join(', ')} not installed (apt-get install -y ${missing.join(' ')})`;
  if (process.env['CI'] === 'true') throw new Error(`CI=true and ${message}.`);
  return { skip: message };
}
