/**
 * The script-running spellings of SECURITY.md's bad-input catalogue, as a
 * browser test can use them (test/support/security-catalogue.ts reads the
 * catalogue itself, in Node): markup that runs when parsed as HTML (rows 36,
 * 37, 48) and URLs that run or load when followed (row 38).
 */
import { HOSTILE } from './components.js';

export const HOSTILE_MARKUP: readonly string[] = [
  HOSTILE,
  '<svg onload="window.__pwned=true"></svg>',
  '"><img src=x onerror="window.__pwned=true">',
  '<a href="javascript:window.__pwned=true">link</a>',
  '<iframe srcdoc="<script>parent.__pwned=true</script>"></iframe>',
];

export const HOSTILE_URLS: readonly string[] = [
  ' javascript:window.__pwned=true',
  'JaVaScRiPt:window.__pwned=true',
  'java\tscript:window.__pwned=true',
  '\u0000javascript:window.__pwned=true',
  'data:text/html,<script>parent.__pwned=true</script>',
  'vbscript:msgbox(1)',
];
