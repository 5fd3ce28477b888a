/** Written by the build (rollup.config.mjs): the autoloaded modules, relative to the loader's folder. */
declare module 'virtual:cometkit-autoload-manifest' {
  const manifest: {
    /** How many rows after the SDK's are elements' modules, each named after its tag. */
    readonly elements: number;
    /**
     * Every module of the folder, the SDK's first: the file is `${name}-${hash}.js`, or
     * `${hash}.js` for a shared chunk (name ''), `integrity` its sha256 in base64 without
     * `sha256-` and the final `=`, and `imports` the rows of the modules it imports statically.
     */
    readonly files: readonly (readonly [name: string, hash: string, integrity: string, ...imports: number[]])[];
  };
  export default manifest;
}
