/** The encodings the build writes beside each browser file (`.br`, `.gz`), best first; `identity` is the file itself. */
export const FILE_ENCODINGS = ['br', 'gzip'] as const;
export type FileEncoding = (typeof FILE_ENCODINGS)[number] | 'identity';

/** File name suffix of each stored encoding. */
export const ENCODING_SUFFIX: Readonly<Record<Exclude<FileEncoding, 'identity'>, string>> = { br: '.br', gzip: '.gz' };

/**
 * The encoding to answer with, per RFC 9110 §12.5.3: the highest q-value
 * among those `available`, ties going to the smaller (br, then gzip, then
 * the file itself). `*` stands for every coding the header leaves unnamed,
 * identity included; without `*`, identity is acceptable unless refused by `identity;q=0`. When nothing listed is acceptable the file goes
 * uncompressed anyway: a script that loads beats a 406.
 */
export function chooseEncoding(header: string | string[] | undefined, available: readonly FileEncoding[]): FileEncoding {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const weights = new Map<string, number>();
  // A browser sends a handful; a header that lists hundreds is read no further than it needs.
  for (const part of text.split(',', 32)) {
    const [name = '', ...params] = part.split(';');
    const coding = name.trim().toLowerCase();
    if (!coding) continue;
    let q = 1;
    for (const param of params) {
      const match = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(param);
      if (match) q = Math.min(1, Number(match[1]));
    }
    weights.set(coding === 'x-gzip' ? 'gzip' : coding, q);
  }
  const star = weights.get('*');
  const weight = (coding: FileEncoding): number => {
    const named = weights.get(coding);
    if (named !== undefined) return named;
    if (coding === 'identity') return star ?? 1;
    return star ?? 0;
  };
  let best: FileEncoding = 'identity';
  let bestWeight = 0;
  // Ordered best first: only a strictly higher q-value displaces an earlier coding.
  for (const coding of [...FILE_ENCODINGS, 'identity'] as const) {
    if (coding !== 'identity' && !available.includes(coding)) continue;
    const q = weight(coding);
    if (q > bestWeight) {
      best = coding;
      bestWeight = q;
    }
  }
  return best;
}
