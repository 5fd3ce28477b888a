import { virtualize as litVirtualize, virtualizerRef, type VirtualizeDirectiveConfig, type VirtualizerHostElement } from '@lit-labs/virtualizer/virtualize.js';
import { AsyncDirective } from 'lit/async-directive.js';
import { getCommittedValue } from 'lit/directive-helpers.js';
import { directive, PartType, type ChildPart, type DirectiveResult, type PartInfo } from 'lit/directive.js';

export { virtualizerRef, type VirtualizerHostElement };

/**
 * `@lit-labs/virtualizer`'s `virtualize()`, without its leak: it renders the
 * range on screen with Lit's `repeat`, which removes an item with Lit's
 * `removePart`, and since lit-html 3.3.1 that leaves the item's end marker
 * behind (lit/lit#5298). A feed fed or scrolled all day grew one empty comment
 * per item that left the range. After each render of the range, the comments
 * between the list's own markers that belong to no item are swept away: every
 * item part owns both its markers, so such a comment is no longer anyone's.
 * Remove this wrapper once Lit's `removePart` takes the end marker too.
 */
class SweptVirtualize extends AsyncDirective {
  #part: ChildPart | undefined;
  #host: Element | undefined;
  #sweeping = false;
  readonly #onRange = (): void => this.#sweepSoon();

  constructor(info: PartInfo) {
    super(info);
    if (info.type !== PartType.CHILD) throw new Error('virtualize() renders only as a child of an element.');
  }

  render(config: VirtualizeDirectiveConfig<unknown>): unknown {
    return litVirtualize(config);
  }

  override update(part: ChildPart, [config]: Parameters<SweptVirtualize['render']>): unknown {
    this.#part = part;
    const host = part.parentNode;
    if (host instanceof Element && host !== this.#host) {
      this.#host?.removeEventListener('rangeChanged', this.#onRange);
      // The virtualizer re-renders the range from its own rangeChanged listener; this one sweeps after that render.
      host.addEventListener('rangeChanged', this.#onRange);
      this.#host = host;
    }
    this.#sweepSoon();
    return this.render(config);
  }

  #sweepSoon(): void {
    if (this.#sweeping) return;
    this.#sweeping = true;
    queueMicrotask(() => {
      this.#sweeping = false;
      if (this.#part) sweepOrphanMarkers(this.#part);
    });
  }

  override disconnected(): void {
    this.#host?.removeEventListener('rangeChanged', this.#onRange);
    this.#host = undefined;
  }

  override reconnected(): void {}
}

/** Removes the comments inside `list` that are neither its own markers nor inside one of its items. */
function sweepOrphanMarkers(list: ChildPart): void {
  const items = getCommittedValue(list);
  if (!Array.isArray(items)) return;
  const byStart = new Map<Node, ChildPart>();
  for (const item of items as ChildPart[]) if (item.startNode) byStart.set(item.startNode, item);
  let node = list.startNode?.nextSibling ?? null;
  while (node && node !== list.endNode) {
    const item = byStart.get(node);
    if (item) {
      node = item.endNode?.nextSibling ?? null;
      continue;
    }
    const next: ChildNode | null = node.nextSibling;
    if (node.nodeType === Node.COMMENT_NODE) (node as ChildNode).remove();
    node = next;
  }
}

/** A virtualized list (see `@lit-labs/virtualizer`'s `virtualize()`) that leaves no comment behind per item (see SweptVirtualize). */
export const virtualize = directive(SweptVirtualize) as <T>(config: VirtualizeDirectiveConfig<T>) => DirectiveResult<typeof SweptVirtualize>;
