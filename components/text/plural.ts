import { format } from '../shared/strings.js';

/**
 * A string that depends on a count: one form per plural category of the
 * language (`Intl.PluralRules`: `zero`, `one`, `two`, `few`, `many`,
 * `other`), `other` serving any category not given. A plain string serves
 * every count. Kept apart from strings.ts so that elements without counts
 * (the feed) do not carry it.
 */
export type PluralString = string | (Readonly<Partial<Record<Intl.LDMLPluralRule, string>>> & { readonly other: string });

const rulesByLanguage = new Map<string, Intl.PluralRules>();

/** `template`'s form for `count` in `language`, with `{count}` (or `values.count`, e.g. "99+") and `values` filled in. */
export function plural(template: PluralString, count: number, language: string, values: Record<string, string | number> = {}): string {
  let form = template as string;
  if (typeof template !== 'string') {
    let rules = rulesByLanguage.get(language);
    if (!rules) rulesByLanguage.set(language, (rules = new Intl.PluralRules(language)));
    form = template[rules.select(count)] ?? template.other;
  }
  return format(form, { count, ...values });
}

const isPluralForms = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && typeof (value as { other?: unknown }).other === 'string' && Object.values(value).every((form) => typeof form === 'string');

/**
 * Merges replacement strings over the defaults (as `mergeStrings`): a string
 * replaces any default; plural forms replace only a default that has plural
 * forms itself. Anything else is ignored.
 */
export function mergePluralStrings<T extends object>(defaults: T, overrides: Partial<T> | undefined): T {
  const merged = { ...defaults };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (!(key in defaults)) continue;
    const hasForms = typeof (defaults as Record<string, unknown>)[key] === 'object';
    if (typeof value === 'string' || (hasForms && isPluralForms(value))) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}
