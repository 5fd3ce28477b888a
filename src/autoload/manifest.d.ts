/** Written by the build (rollup.config.mjs): where each autoloaded module is, relative to the loader's folder. */
declare module 'virtual:cometkit-autoload-manifest' {
  const manifest: {
    /** The SDK module (configure, createClient…). */
    readonly client: string;
    /** Each element's module by tag name. */
    readonly elements: Readonly<Record<string, string>>;
    /** Every module of the folder: its Subresource Integrity hash, and the modules it imports statically. */
    readonly files: Readonly<Record<string, readonly [integrity: string, imports: readonly string[]]>>;
  };
  export default manifest;
}
