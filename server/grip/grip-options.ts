/** Pushpin (or any GRIP proxy, Fastly Fanout among them) in front of the server: see README, "Behind Pushpin". */
export interface GripOptions {
  /** The proxy's GRIP control endpoint; events are published to `{controlUrl}/publish/`. Default: `COMET_GRIP_URL`. */
  readonly controlUrl: string;
  /**
   * The key the proxy signs its requests with (Pushpin's `sig_key`): only
   * requests bearing a `Grip-Sig` signed with it are answered with GRIP
   * instructions. Required: without it any client could send `Grip-Sig:
   * anything` and be held outside the stream caps. Default: `COMET_GRIP_KEY`.
   */
  readonly signingKey?: string;
  /** Prefix of every GRIP channel name, when the proxy serves other applications too. Default `''`. */
  readonly channelPrefix?: string;
  /** Extra headers for the publish requests (`Authorization` for a hosted GRIP service). */
  readonly publishHeaders?: Readonly<Record<string, string>>;
}

export interface ResolvedGripOptions {
  readonly controlUrl: string;
  readonly signingKey: string;
  readonly channelPrefix: string;
  readonly publishHeaders: Readonly<Record<string, string>>;
}

export function resolveGripOptions(options: GripOptions | undefined, env: NodeJS.ProcessEnv = process.env): ResolvedGripOptions | undefined {
  const controlUrl = options?.controlUrl ?? (env['COMET_GRIP_URL'] || undefined);
  if (!controlUrl) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(controlUrl);
  } catch {
    throw new TypeError(`cometkit server: grip.controlUrl (COMET_GRIP_URL) must be an http(s) URL, got "${controlUrl.slice(0, 80)}".`);
  }
  if (!/^https?:$/.test(parsed.protocol)) throw new TypeError('cometkit server: grip.controlUrl (COMET_GRIP_URL) must be an http(s) URL.');
  const signingKey = options?.signingKey ?? (env['COMET_GRIP_KEY'] || undefined);
  if (!signingKey) {
    throw new TypeError(
      "cometkit server: GRIP mode (COMET_GRIP_URL) needs the proxy's signing key: set COMET_GRIP_KEY (grip.signingKey) to Pushpin's sig_key (changeme in its shipped pushpin.conf; choose your own).",
    );
  }
  return {
    controlUrl: controlUrl.replace(/\/+$/, ''),
    signingKey,
    channelPrefix: options?.channelPrefix ?? '',
    publishHeaders: options?.publishHeaders ?? {},
  };
}
