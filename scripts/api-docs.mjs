#!/usr/bin/env node
/**
 * `npm run docs:api`: writes docs/api/cometkit.md and docs/api/server.md, the
 * reference of the two entry points, from their type declarations and doc
 * comments (dist/types, made by `tsc -p tsconfig.build.json`), so the pages
 * say exactly what the code says. The elements' reference is
 * docs/components/, from the custom-elements manifest (component-docs.mjs).
 *
 * API Extractor reads the declarations (it brings its own TypeScript, as the
 * project's compiler has no JavaScript API) into a doc model; this script
 * renders the model as one markdown page per entry point.
 * `--check` writes nothing and fails when a page differs from what it would write.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs', 'api');
const check = process.argv.includes('--check');

const entries = [
  { name: 'cometkit', page: 'cometkit.md', types: 'dist/types/src/index.d.ts', intro: 'The browser SDK: `import { createClient } from \'cometkit\'`.' },
  { name: 'cometkit/server', page: 'server.md', types: 'dist/types/server/index.d.ts', intro: 'The reference server for Node: `import { createCometServer } from \'cometkit/server\'`.' },
];

/** The doc model API Extractor makes of one entry point's declarations. */
function docModel(entry, dir) {
  const mainEntryPointFilePath = join(root, entry.types);
  if (!existsSync(mainEntryPointFilePath)) {
    console.error(`${entry.types} is missing: run \`npm run docs:api\` (or \`npm run build\`) first.`);
    process.exit(1);
  }
  const apiJsonFilePath = join(dir, `${entry.page}.api.json`);
  const quiet = { default: { logLevel: 'none' } };
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath,
      compiler: {
        overrideTsconfig: {
          compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2023', 'dom', 'dom.iterable'], types: ['node'], skipLibCheck: true, strict: true },
          files: [mainEntryPointFilePath],
        },
      },
      apiReport: { enabled: false },
      docModel: { enabled: true, apiJsonFilePath },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: { compilerMessageReporting: quiet, extractorMessageReporting: quiet, tsdocMessageReporting: quiet },
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: join(root, 'package.json'),
  });
  const result = Extractor.invoke(config, { localBuild: true, messageCallback: (message) => (message.handled = true) });
  if (!result.succeeded) {
    console.error(`API Extractor could not read ${entry.types} (${result.errorCount} errors).`);
    process.exit(1);
  }
  return JSON.parse(readFileSync(apiJsonFilePath, 'utf8'));
}

/** A doc comment's text, without its delimiters; `@tag` blocks kept as lines of their own. */
function commentText(raw) {
  if (!raw) return '';
  return raw
    .replace(/^\s*\/\*\*/, '')
    .replace(/\*\/\s*$/, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .replace(/\{@link\s+([^}|\s]+)(?:\s*\|\s*([^}]+))?\}/g, (_, target, text) => `\`${(text ?? target).trim()}\``)
    .replace(/^@(param|returns|deprecated|remarks|example|throws|defaultValue|default)\b\s*/gm, (_, tag) => `*${tag}* `)
    .trim();
}

const signature = (item) => (item.excerptTokens ?? []).map((token) => token.text).join('').replace(/^export declare /, '').replace(/^export /, '').trim();

const KIND_ORDER = ['Function', 'Class', 'Interface', 'TypeAlias', 'Variable', 'Enum', 'Namespace'];
const KIND_TITLE = { Function: 'Functions', Class: 'Classes', Interface: 'Interfaces', TypeAlias: 'Types', Variable: 'Constants', Enum: 'Enums', Namespace: 'Namespaces' };
const MEMBER_KINDS = new Set(['Property', 'PropertySignature', 'Method', 'MethodSignature', 'Constructor', 'ConstructSignature', 'CallSignature', 'IndexSignature', 'EnumMember']);

/**
 * Every declaration under the name its entry exports. One exported under another name
 * (`export type { InboxItemJson as InboxItem }`) keeps the other name in editors' hovers and the
 * compiler's errors, and in this page's signatures: rename the declaration instead, and keep an
 * old name as a deprecated alias at the entry.
 */
function checkDeclaredNames(entry, items) {
  const renamed = [];
  for (const item of items) {
    const declared = /^(?:declare\s+)?(?:abstract\s+)?(?:interface|class|type|function|const|enum)\s+([\w$]+)/.exec(signature(item))?.[1];
    if (declared && declared !== item.name) renamed.push(`${item.name} (declared as ${declared})`);
  }
  if (renamed.length > 0) throw new Error(`${entry.name} exports declarations under other names: ${renamed.join(', ')}. Give each declaration its public name; an old name stays as a deprecated alias at the entry.`);
}

function renderMember(member) {
  const text = commentText(member.docComment).replace(/\n+/g, ' ');
  return `- \`${signature(member).replace(/\s+/g, ' ')}\`${text ? ` — ${text}` : ''}`;
}

function renderItem(item) {
  // Overloads share a name: one block each, in declaration order.
  const lines = [`### ${item.name}`, '', '```ts', signature(item), '```', ''];
  const text = commentText(item.docComment);
  if (text) lines.push(text, '');
  const members = (item.members ?? []).filter((member) => MEMBER_KINDS.has(member.kind) && !member.isProtected);
  if (members.length > 0) lines.push(...members.map(renderMember), '');
  return lines.join('\n');
}

function renderPage(entry, model) {
  const items = model.members.flatMap((point) => point.members ?? []);
  checkDeclaredNames(entry, items);
  const sections = [];
  for (const kind of KIND_ORDER) {
    const ofKind = items.filter((item) => item.kind === kind).sort((a, b) => a.name.localeCompare(b.name));
    if (ofKind.length > 0) sections.push(`## ${KIND_TITLE[kind]}\n\n${ofKind.map(renderItem).join('\n')}`);
  }
  const others = items.filter((item) => !KIND_ORDER.includes(item.kind));
  if (others.length > 0) throw new Error(`api-docs.mjs cannot render ${others.map((item) => `${item.kind} ${item.name}`).join(', ')}: add the kind.`);
  return [
    `# \`${entry.name}\` reference`,
    '',
    `${entry.intro} Generated from the type declarations and their doc comments by \`scripts/api-docs.mjs\`; do not edit: change the doc comment and run \`npm run docs:api\` (\`npm test\` fails while this page differs from the code).`,
    '',
    sections.join('\n'),
  ].join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

const dir = mkdtempSync(join(tmpdir(), 'cometkit-api-'));
const stale = [];
try {
  if (!check) mkdirSync(out, { recursive: true });
  for (const entry of entries) {
    const page = renderPage(entry, docModel(entry, dir));
    const path = join(out, entry.page);
    if (!check) writeFileSync(path, page);
    else if (!existsSync(path) || readFileSync(path, 'utf8') !== page) stale.push(`docs/api/${entry.page}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (stale.length > 0) {
  console.error(`API reference out of date: ${stale.join(', ')}. Run \`npm run docs:api\` and commit the result.`);
  process.exit(1);
}
console.log(check ? 'API reference up to date.' : `API reference written to docs/api/ (${entries.map((e) => e.page).join(', ')}).`);
