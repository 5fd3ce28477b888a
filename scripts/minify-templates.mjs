/**
 * The elements' CSS and HTML templates (`css`, `html`) ship minified:
 * whitespace, comments and long CSS forms are most of their bytes, and no
 * JS minifier touches a template's text. Lit's own plugin knows where
 * bindings sit, so none is disturbed; a template it cannot read fails the
 * build rather than shipping half-done.
 *
 * Whitespace is collapsed conservatively, to one space, never to none: a
 * space at the edge of an element is text (`<span class="visually-hidden">Unread: </span>${title}`
 * is read aloud as "Unread: title", and as "Unread:title" without it).
 *
 * The production build (rollup.config.mjs) and the browser tests
 * (web-test-runner.config.mjs) both use this, so the component tests render
 * the templates as they ship.
 */
import minifyTemplates from '@lit-labs/rollup-plugin-minify-html-literals';

export function minifyElementTemplates() {
  return minifyTemplates({
    include: ['components/**/*.ts'],
    exclude: ['**/*.test.ts'],
    failOnError: true,
    options: { minifyOptions: { conservativeCollapse: true } },
  });
}
