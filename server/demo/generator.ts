import type { CometServer } from '../comet-server.js';

const HEADLINES = [
  'Comet keeps one connection per browser',
  'Markets open higher on quiet trading',
  'Local team wins the derby in extra time',
  'New library release fixes proxy buffering',
  'Weather: sunny spells, light breeze from the west',
];
const NOTICES = [
  { title: 'Your export is ready', message: 'reports-2026-11.csv (2.4 MB)', url: 'https://example.com/exports/42' },
  { title: 'Ada commented on your post', message: '“Looks great — ship it!”' },
  { title: 'Build #482 passed', message: 'main · 3 min 12 s', url: 'https://example.com/builds/482' },
  { title: 'Disk usage above 80 %', message: 'volume /data on db-2' },
];
const ALERTS = [
  { title: 'Deploy finished', message: 'v2.14.0 is live', severity: 'success' },
  { title: 'New sign-in', message: 'Firefox on Linux, Berlin', severity: 'info', actions: [{ label: 'Not me', value: 'report' }] },
  { title: 'Replica lag', message: 'db-3 is 12 s behind', severity: 'warning' },
  { title: 'Payment failed', message: 'Card ending 4242 was declined', severity: 'error', actions: [{ label: 'Update card', href: 'https://example.com/billing' }] },
];
const SYMBOLS = ['ACME', 'GLOBX', 'INIT', 'UMBR'];
/** Simulated people who come and go in the lobby, next to the real visitors. */
const PEOPLE = [
  { user: 'sim-ada', name: 'Ada Lovelace' },
  { user: 'sim-grace', name: 'Grace Hopper' },
  { user: 'sim-alan', name: 'Alan Turing' },
  { user: 'sim-katherine', name: 'Katherine Johnson' },
  { user: 'sim-edsger', name: 'Edsger Dijkstra' },
  { user: 'sim-barbara', name: 'Barbara Liskov' },
  { user: 'sim-linus', name: 'Linus Torvalds' },
];
export const DEMO_LOBBY = 'demo.lobby';

/**
 * Publishes sample events on `demo.ticker`, `demo.news`, `demo.notifications`
 * and `demo.alerts`, and keeps simulated people coming and going on the
 * presence of `demo.lobby`, until stopped.
 */
export function startDemoGenerator(server: CometServer, everyMs = 2000): () => void {
  const prices = new Map(SYMBOLS.map((s, i) => [s, 100 + i * 37]));
  const previous = new Map<string, number>();
  const here = new Set(PEOPLE.slice(0, 4).map((p) => p.user));
  const session = (user: string): string => `demo-session-${user}`;
  // While the broker is unreachable (Redis restarting) the demo skips its events rather than failing.
  const skipOnError = (attempt: Promise<unknown>): void => void attempt.catch(() => undefined);
  const beat = (): void => {
    for (const person of PEOPLE) if (here.has(person.user)) skipOnError(server.presence.heartbeat([DEMO_LOBBY], person, session(person.user)));
  };
  beat();
  let tick = 0;
  const timer = setInterval(() => {
    tick += 1;
    const symbol = SYMBOLS[tick % SYMBOLS.length]!;
    const price = Math.max(1, prices.get(symbol)! * (1 + (Math.random() - 0.5) / 50));
    prices.set(symbol, price);
    const rounded = Math.round(price * 100) / 100;
    const arrow = price >= (previous.get(symbol) ?? price) ? '▲' : '▼';
    previous.set(symbol, price);
    skipOnError(server.publish('demo.ticker', { title: `${symbol} ${rounded.toFixed(2)} ${arrow}`, symbol, price: rounded }, 'quote'));
    if (tick % 3 === 0) skipOnError(server.publish('demo.news', { title: HEADLINES[(tick / 3) % HEADLINES.length] }, 'headline'));
    if (tick % 5 === 0) skipOnError(server.publish('demo.notifications', NOTICES[(tick / 5) % NOTICES.length], 'notice'));
    if (tick % 7 === 0) skipOnError(server.publish('demo.alerts', ALERTS[(tick / 7) % ALERTS.length], 'alert'));
    if (tick % 4 === 0) {
      // Someone arrives or goes, so the roster keeps moving.
      const person = PEOPLE[Math.floor(Math.random() * PEOPLE.length)]!;
      if (here.has(person.user) && here.size > 2) {
        here.delete(person.user);
        skipOnError(server.presence.leave([DEMO_LOBBY], person.user, session(person.user)));
      } else {
        here.add(person.user);
      }
    }
    // Well within the TTL: simulated people stay until they choose to leave.
    if (tick % 10 === 0 || tick % 4 === 0) beat();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
