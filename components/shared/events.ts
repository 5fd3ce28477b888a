/** Dispatches a `comet-*` event that bubbles out of shadow roots, so a page can listen anywhere above. */
export function emit<Detail>(target: EventTarget, type: string, detail: Detail, options: { cancelable?: boolean } = {}): boolean {
  return target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable: options.cancelable ?? false }));
}
