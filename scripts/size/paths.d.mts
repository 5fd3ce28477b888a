export const importPaths: Record<string, string>;
export const pages: Record<string, string>;
export const peers: Record<string, string>;
