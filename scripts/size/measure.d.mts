/** Types for measure.mjs, so TypeScript callers (benchmarks, tests) get checked. */
export interface Sizes {
  raw: number;
  gzip: number;
  brotli: number;
}
export interface MeasuredFile extends Sizes {
  path: string;
}
export interface Measured extends Sizes {
  /** Fetched before the code runs: the entry and what it imports statically. */
  files: MeasuredFile[];
}
export const root: string;
export function compressed(bytes: Uint8Array): Sizes;
export function total(files: readonly Sizes[]): Sizes;
export function measureImport(code: string): Promise<Measured & { lazy: MeasuredFile[] }>;
export function measureFile(file: string): Measured;
export function kib(bytes: number): string;
export function printTable(rows: ReadonlyArray<ReadonlyArray<string | number>>): void;
