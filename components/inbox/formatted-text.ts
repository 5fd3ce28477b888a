import { html, type TemplateResult } from 'lit';
import { safeHttpUrl } from '../text/safe-url.js';

/**
 * `**bold**`, `_italic_` (not inside a word, so snake_case stays text),
 * `` `code` `` and `[text](url)`: the formatting an inbox item's body may use
 * (PROTOCOL.md, INBOX_FORMATTING). One level, no nesting: the inner text of
 * each is text.
 */
const FORMATTING = /\*\*([^*]+)\*\*|(?<![\p{L}\p{N}])_([^_]+)_(?![\p{L}\p{N}])|`([^`]+)`|\[([^\]]+)\]\(([^()\s]+)\)/gu;

/**
 * `text` as Lit values: strings (rendered as text nodes) and templates of
 * `<strong>`, `<em>`, `<code>` and `<a>` whose content is text too. Nothing
 * of `text` is ever parsed as HTML. A link whose URL is not http(s) (the
 * safe-URL rule) is its text alone.
 */
export function formattedText(text: string): Array<string | TemplateResult> {
  const parts: Array<string | TemplateResult> = [];
  let at = 0;
  for (const match of text.matchAll(FORMATTING)) {
    if (match.index > at) parts.push(text.slice(at, match.index));
    const [, bold, italic, code, label, url] = match;
    if (bold !== undefined) parts.push(html`<strong>${bold}</strong>`);
    else if (italic !== undefined) parts.push(html`<em>${italic}</em>`);
    else if (code !== undefined) parts.push(html`<code>${code}</code>`);
    else {
      const href = safeHttpUrl(url);
      parts.push(href ? html`<a part="body-link" href=${href} target="_blank" rel="noopener noreferrer">${label}</a>` : label!);
    }
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}
