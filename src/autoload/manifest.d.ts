/** Written by the build (rollup.config.mjs): the autoloaded modules, relative to the loader's folder. */
declare module 'virtual:cometkit-autoload-manifest' {
  /** The folder of this build's modules under `autoload/`: a hash of all of them. */
  export const build: string;
  /** The elements' tags: rows 1 to `tags.length`, each module named `${tag}.js`. */
  export const tags: readonly string[];
  /**
   * Every module of the folder, the SDK's first: the file is `${row}.js` unless the row is
   * an element's, `integrity` its sha256 in base64 without `sha256-` and the final `=`, and
   * `imports` the rows of the modules it imports statically.
   */
  export const files: readonly (readonly [integrity: string, ...imports: number[]])[];
}
