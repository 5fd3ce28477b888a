import { noChange } from 'lit';
import { Directive, directive, PartType, type ChildPart, type DirectiveResult, type PartInfo } from 'lit/directive.js';
import { getCommittedValue, insertPart, removePart, setChildPartValue, setCommittedValue } from 'lit/directive-helpers.js';

type Render<T> = (item: T, index: number) => unknown;

/**
 * One template per item, kept by key: while an item stays in the list its
 * nodes stay the same ones (focus, selection and state inside them with
 * them), a new item gets new nodes, a gone one is removed. What Lit's
 * `repeat` does, with a simpler placement: gone items go first, then each
 * item moves only when it is not already where it belongs. Our lists grow at
 * one end and are cut at either, or lose an item in the middle: then nothing
 * moves at all. `repeat` also minimises the moves of a reordered list (0.2 KB
 * brotli more in every page with a list).
 */
class KeyedList extends Directive {
  #keys: unknown[] = [];

  constructor(info: PartInfo) {
    super(info);
    if (info.type !== PartType.CHILD) throw new Error('keyedList() renders only as a child of an element.');
  }

  // Server-side rendering uses render() alone: no parts to keep there.
  render(items: readonly unknown[], _key: (item: unknown) => unknown, template: Render<unknown>): unknown[] {
    return items.map(template);
  }

  override update(container: ChildPart, [items, key, template]: Parameters<KeyedList['render']>): unknown {
    const old = getCommittedValue(container);
    const keys = items.map(key);
    // The first render: Lit renders the array itself, a part per item, and commits those parts.
    if (!Array.isArray(old)) {
      this.#keys = keys;
      return this.render(items, key, template);
    }
    const byKey = new Map<unknown, ChildPart>();
    (old as ChildPart[]).forEach((part, index) => byKey.set(this.#keys[index], part));
    const kept = keys.map((itemKey) => {
      const part = byKey.get(itemKey);
      byKey.delete(itemKey);
      return part;
    });
    const stays = new Set(kept);
    for (const part of old as ChildPart[]) if (!stays.has(part)) removeWithMarkers(part);
    // The parts that stay, in their order in the page; `next` is the first one not yet passed or moved ahead.
    const staying = (old as ChildPart[]).filter((part) => stays.has(part));
    const moved = new Set<ChildPart>();
    let next = 0;
    const parts = kept.map((part, index) => {
      while (moved.has(staying[next]!)) next += 1;
      const here = staying[next];
      if (part && part === here) next += 1;
      else {
        part = insertPart(container, here, part);
        moved.add(part);
      }
      setChildPartValue(part, template(items[index], index));
      return part;
    });
    setCommittedValue(container, parts);
    this.#keys = keys;
    return noChange;
  }
}

/**
 * Lit's `removePart` leaves the part's end marker behind since lit-html 3.3.1
 * (lit/lit#5298): one empty comment per removed item, for the life of the
 * list. Every item part here owns both of its markers (Lit's first render and
 * `insertPart` each create a pair), so both go.
 */
function removeWithMarkers(part: ChildPart): void {
  const end = part.endNode;
  removePart(part);
  (end as ChildNode | null)?.remove();
}

/** Renders `items` with `template`, keeping each item's nodes by `key` (see KeyedList). */
export const keyedList = directive(KeyedList) as <T>(items: readonly T[], key: (item: T) => unknown, template: Render<T>) => DirectiveResult<typeof KeyedList>;
