import type { CometServer } from '../comet-server.js';

const HEADLINES = [
  'Comet keeps one connection per browser',
  'Markets open higher on quiet trading',
  'Local team wins the derby in extra time',
  'New library release fixes proxy buffering',
  'Weather: sunny spells, light breeze from the west',
];
const NOTICES = ['Your export is ready', 'Ada commented on your post', 'Build #482 passed', 'Disk usage above 80 %'];
const SYMBOLS = ['ACME', 'GLOBX', 'INIT', 'UMBR'];

/** Publishes sample events on `demo.ticker`, `demo.news` and `demo.notifications` until stopped. */
export function startDemoGenerator(server: CometServer, everyMs = 2000): () => void {
  const prices = new Map(SYMBOLS.map((s, i) => [s, 100 + i * 37]));
  let tick = 0;
  const timer = setInterval(() => {
    tick += 1;
    const symbol = SYMBOLS[tick % SYMBOLS.length]!;
    const price = Math.max(1, prices.get(symbol)! * (1 + (Math.random() - 0.5) / 50));
    prices.set(symbol, price);
    void server.publish('demo.ticker', { symbol, price: Math.round(price * 100) / 100 }, 'quote');
    if (tick % 3 === 0) void server.publish('demo.news', { title: HEADLINES[(tick / 3) % HEADLINES.length] }, 'headline');
    if (tick % 5 === 0) {
      void server.publish('demo.notifications', { title: NOTICES[(tick / 5) % NOTICES.length], severity: tick % 15 === 0 ? 'warning' : 'info' }, 'notice');
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
