/**
 * The line of text shown for an event's data: a string as is, else the
 * first of `title`, `text`, `message`, `body`, else compact JSON. Always a
 * string, always rendered as text (never as HTML).
 */
export function summarize(data: unknown, maxLength = 500): string {
  let text: string;
  if (typeof data === 'string') text = data;
  else if (typeof data === 'object' && data !== null) {
    const record = data as Record<string, unknown>;
    const field = ['title', 'text', 'message', 'body'].map((key) => record[key]).find((value) => typeof value === 'string');
    text = typeof field === 'string' ? field : JSON.stringify(data);
  } else text = String(data);
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
