import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';

describe('component docs', () => {
  it('match what the components say (npm run docs regenerates them)', () => {
    // The manifest is a build output; made fresh here so the check needs no build.
    execFileSync(process.execPath, ['node_modules/@custom-elements-manifest/analyzer/cem.js', 'analyze', '--config', 'custom-elements-manifest.config.mjs', '--quiet'], { stdio: 'pipe' });
    const output = execFileSync(process.execPath, ['scripts/component-docs.mjs', '--check'], { encoding: 'utf8' });
    assert.match(output, /up to date/);
  });
});
