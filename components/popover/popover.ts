/**
 * Places a popover under its anchor, aligned to the anchor's inline start
 * (right edge in RTL), kept inside the viewport. CSS anchor positioning
 * would do this declaratively but is not in every engine yet.
 */
export function placeUnder(panel: HTMLElement, anchor: HTMLElement): void {
  const box = anchor.getBoundingClientRect();
  const rtl = getComputedStyle(anchor).direction === 'rtl';
  panel.style.position = 'fixed';
  panel.style.inset = 'auto';
  panel.style.margin = '0';
  const width = panel.offsetWidth;
  const gap = 6;
  let left = rtl ? box.right - width : box.left;
  left = Math.max(8, Math.min(left, window.innerWidth - width - 8));
  panel.style.left = `${left}px`;
  const below = box.bottom + gap;
  const height = panel.offsetHeight;
  panel.style.top = `${below + height > window.innerHeight && box.top - gap - height > 0 ? box.top - gap - height : below}px`;
}

export const supportsPopover = typeof HTMLElement !== 'undefined' && 'popover' in HTMLElement.prototype;
