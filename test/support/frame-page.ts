/** A page built for a test (test/support/framework-pages.ts), open in a same-origin iframe. */
export interface FramePage {
  readonly frame: HTMLIFrameElement;
  readonly view: Window;
  /** What the page threw or left rejected since it loaded. */
  readonly errors: string[];
}

/** Opens `src` in an iframe of `size` (the default one's otherwise) and resolves once it has loaded. */
export async function openFramePage(src: string, title: string, size?: { width: string; height: string }): Promise<FramePage> {
  // A build that failed answers 500 with Vite's message: say that, rather than time out on an empty frame.
  const answer = await fetch(src, { cache: 'no-store' });
  if (!answer.ok) throw new Error(`${src}: ${answer.status} ${await answer.text()}`);
  const frame = document.createElement('iframe');
  frame.title = title;
  if (size) Object.assign(frame.style, size);
  const errors: string[] = [];
  frame.src = src;
  document.body.append(frame);
  await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  const view = frame.contentWindow!;
  view.addEventListener('error', (event) => errors.push(String(event.error ?? event.message)));
  view.addEventListener('unhandledrejection', (event) => errors.push(String(event.reason)));
  return { frame, view, errors };
}
