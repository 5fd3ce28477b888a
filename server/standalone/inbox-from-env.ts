import type { InboxOptions } from '../inbox/inbox-service.js';

/**
 * The inbox's settings for the standalone server: `COMET_INBOX_CRITICAL`
 * (categories users cannot mute, comma-separated), `COMET_INBOX_WEBHOOK_URL`
 * and `COMET_INBOX_WEBHOOK_SECRET` (where actions are posted, signed) and
 * `COMET_INBOX_SNOOZE_POLL_MS` (how often snoozes that ended are looked for).
 */
export function inboxFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<InboxOptions, 'critical' | 'webhook' | 'snoozePollMs'> {
  const options: { -readonly [K in 'critical' | 'webhook' | 'snoozePollMs']?: InboxOptions[K] } = {};
  const critical = env['COMET_INBOX_CRITICAL'];
  if (critical) options.critical = critical.split(',').map((category) => category.trim()).filter((category) => category !== '');
  const url = env['COMET_INBOX_WEBHOOK_URL'];
  const secret = env['COMET_INBOX_WEBHOOK_SECRET'];
  if (url || secret) {
    if (!url || !secret) throw new TypeError('cometkit server: set both COMET_INBOX_WEBHOOK_URL and COMET_INBOX_WEBHOOK_SECRET, or neither.');
    options.webhook = { url, secret };
  }
  const poll = env['COMET_INBOX_SNOOZE_POLL_MS'];
  if (poll) options.snoozePollMs = Number(poll);
  return options;
}
