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
