/**
 * The page's console warnings during each test of the suite it is called in
 * (development builds warn with `cometkit [code]: …`): `warnings()` is what
 * the running test has heard so far. `echo` passes them on to the console too.
 */
export function captureWarnings(options: { echo?: boolean } = {}): () => readonly string[] {
  const original = console.warn;
  let heard: string[] = [];
  beforeEach(() => {
    heard = [];
    console.warn = (...args: unknown[]) => {
      heard.push(args.map(String).join(' '));
      if (options.echo) original(...args);
    };
  });
  afterEach(() => {
    console.warn = original;
  });
  return () => heard;
}
