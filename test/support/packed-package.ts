/**
 * The package as users get it: `npm pack` of the built tree (the build
 * must exist: `npm test` builds first, and `prepack` is skipped here for
 * that reason), installed into a scratch app from the npm cache that
 * `npm ci` filled, so a test reaches no registry when it can help it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
export const vite = join(root, 'node_modules/vite/bin/vite.js');

export const run = (file: string, args: string[], cwd: string, env: Record<string, string> = {}): string =>
  execFileSync(file, args, { cwd, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });

/** The version of a package this repository installed: the scratch app gets the same one, from the cache. */
export const installedVersion = (name: string): string => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** Packs the package into `dir`: the tarball's file name and the paths it holds. */
export function pack(dir: string): { filename: string; files: string[] } {
  const [info] = JSON.parse(run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { filename: join(dir, info!.filename), files: info!.files.map((file) => file.path) };
}

/** `npm install` of the tarball and `others` (names, at this repository's versions) into the app in `dir`; what npm printed on stderr. */
export function installPacked(dir: string, tarball: string, others: string[]): string {
  const install = spawnSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...others.map((name) => `${name}@${installedVersion(name)}`)], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (install.status !== 0) throw new Error(`npm install failed: ${install.stderr}`);
  return install.stderr;
}
