/** A positive whole number from the environment, or undefined when unset; anything else stops the server with the variable named. */
export function wholeNumberFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`cometkit server: ${name} must be a positive whole number, got "${text.slice(0, 40)}".`);
  }
  return value;
}
