// Removes the previous build so stale files never reach a bundle-size check or a test.
import { rmSync } from 'node:fs';
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
