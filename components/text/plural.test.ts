import { expect } from '@esm-bundle/chai';
import { mergePluralStrings, plural, type PluralString } from './plural.js';

describe('plural strings', () => {
  const files: PluralString = { zero: 'لا ملفات', one: 'ملف واحد', two: 'ملفان', few: '{count} ملفات', many: '{count} ملفًا', other: '{count} ملف' };

  it('picks the form of the language’s plural rules (Arabic has six)', () => {
    expect([0, 1, 2, 3, 11, 100].map((count) => plural(files, count, 'ar'))).to.deep.equal(['لا ملفات', 'ملف واحد', 'ملفان', '3 ملفات', '11 ملفًا', '100 ملف']);
  });

  it('falls back to `other` for a category not given, and a plain string serves every count', () => {
    const polish: PluralString = { one: '{count} nowy', other: '{count} nowych' };
    expect([1, 2, 5].map((count) => plural(polish, count, 'pl'))).to.deep.equal(['1 nowy', '2 nowych', '5 nowych']);
    expect(plural('{count} new', 1, 'pl')).to.equal('1 new');
    expect(plural({ other: 'Notifications, {count} unread' }, 120, 'en', { count: '99+' })).to.equal('Notifications, 99+ unread');
  });

  it('takes plural forms only where the default has them, and strings anywhere', () => {
    const defaults = { more: { other: '+{count} more' } as PluralString, close: 'Close' };
    const merged = mergePluralStrings(defaults, { more: { one: '+{count} weitere', other: '+{count} weitere' }, close: { other: 'x' } as unknown as string });
    expect(merged.more).to.deep.equal({ one: '+{count} weitere', other: '+{count} weitere' });
    expect(merged.close, 'forms where the default has none are ignored').to.equal('Close');
    expect(mergePluralStrings(defaults, { more: 'mehr: {count}' }).more).to.equal('mehr: {count}');
    expect(mergePluralStrings(defaults, { more: { one: 'x' } as unknown as PluralString }).more, 'forms without `other` are ignored').to.deep.equal(defaults.more);
  });
});
