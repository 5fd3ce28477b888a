/** Fills `{name}` placeholders; values are inserted as text by the template that renders the result. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

/**
 * The language the element is shown in: the nearest `lang` attribute (crossing shadow roots), else the browser's.
 * Always a tag `Intl` accepts: a malformed `lang`, or a browser that reports its POSIX locale (WebKitGTK run
 * with `LANG=C` says `navigator.language === 'C'`), would make every date formatter throw a RangeError.
 */
export function languageOf(element: Element): string {
  let node: Node | null = element;
  while (node) {
    if (node instanceof Element) {
      const lang = node.getAttribute('lang');
      if (lang) return usable(lang);
    }
    node = node.parentNode ?? (node instanceof ShadowRoot ? node.host : null);
  }
  return usable(navigator.language);
}

function usable(tag: string | undefined): string {
  try {
    return (tag && Intl.getCanonicalLocales(tag)[0]) || 'en';
  } catch {
    return 'en';
  }
}

/** Merges replacement strings over the defaults, ignoring anything that is not a string. */
export function mergeStrings<T extends object>(defaults: T, overrides: Partial<T> | undefined): T {
  const merged = { ...defaults };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (key in defaults && typeof value === 'string') (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}
