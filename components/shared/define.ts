import { warn } from '../../src/dev.js';

/**
 * The one place that registers tags. A page may load cometkit twice (the
 * script tag and an app bundle): the second registration is skipped rather
 * than thrown, and a dev-build warning says so.
 */
export function defineElement(name: string, constructor: CustomElementConstructor): void {
  const existing = customElements.get(name);
  if (existing) {
    if (existing !== constructor) warn('element-defined-twice', `<${name}> is already defined by another copy of cometkit; this copy's element is not registered.`);
    return;
  }
  customElements.define(name, constructor);
}
