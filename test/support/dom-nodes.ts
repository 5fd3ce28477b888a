/**
 * Counts every node under `root` — elements, text and comments (Lit's empty
 * markers are comments) — and under every shadow root inside it, so a test
 * can tell whether a page holds more nodes after thousands of events than
 * before them.
 */
export function countNodes(root: Node): number {
  let count = 0;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ALL);
  for (let node: Node | null = walker.currentNode; node; node = walker.nextNode()) {
    count += 1;
    const shadow = node instanceof Element ? node.shadowRoot : null;
    if (shadow) count += countNodes(shadow);
  }
  return count;
}

/** The comments under `root` and its shadow roots. */
export function countComments(root: Node): number {
  let count = 0;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ALL);
  for (let node: Node | null = walker.currentNode; node; node = walker.nextNode()) {
    if (node.nodeType === Node.COMMENT_NODE) count += 1;
    const shadow = node instanceof Element ? node.shadowRoot : null;
    if (shadow) count += countComments(shadow);
  }
  return count;
}

/**
 * The nodes under `root` (shadow roots included) that belong to no list item
 * (`part~="item"`, `part~="toast"`) nor to an item's two markers: what a list
 * keeps besides its items. A virtualized list renders more or fewer items as
 * its layout settles; this count does not move with that, and a marker left
 * behind per removed item shows in it.
 */
export function countOutsideItems(root: Node): number {
  let count = countNodes(root);
  const visit = (node: Node): void => {
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_ELEMENT);
    for (let element = walker.currentNode as Element | null; element; element = walker.nextNode() as Element | null) {
      if (element instanceof Element && /(^|\s)(item|toast)(\s|$)/.test(element.getAttribute('part') ?? '')) count -= countNodes(element) + 2;
      if (element instanceof Element && element.shadowRoot) visit(element.shadowRoot);
    }
  };
  visit(root);
  return count;
}
