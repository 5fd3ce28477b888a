/**
 * The hub's one answer per browser for Web Push: visible while any tab is,
 * told to the server on each change (not for every tab's report), and a tab
 * message that is not a visibility report is dropped at the port.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTabMessage } from '../../src/hub/tab-messages.js';
import { DeviceVisibility } from '../../src/hub/device-visibility.js';
import { PORT_PROTOCOL_VERSION } from '../../src/hub/port-protocol.js';

describe('device visibility (hub)', () => {
  it('reports the browser visible while any tab is, once per change, and hidden when the last visible tab goes', async () => {
    const reports: Array<{ device: string; user: string | null; visible: boolean }> = [];
    const visibility = new DeviceVisibility(async (report) => reports.push(report));
    try {
      visibility.set('tab-1', true, 'device-abcdef', 'ada');
      visibility.set('tab-2', false, 'device-abcdef', 'ada');
      visibility.set('tab-2', true, 'device-abcdef', 'ada');
      visibility.set('tab-1', false, 'device-abcdef', 'ada');
      assert.deepEqual(reports, [{ device: 'device-abcdef', user: 'ada', visible: true }], 'one tab hiding while another shows changes nothing');
      visibility.drop('tab-2');
      assert.deepEqual(reports.at(-1), { device: 'device-abcdef', user: 'ada', visible: false });
      visibility.drop('tab-1');
      assert.equal(reports.length, 2, 'the last (hidden) tab leaving changes nothing');
    } finally {
      visibility.close();
    }
  });

  it('sends the state again after a report failed', async () => {
    let fail = true;
    const reports: boolean[] = [];
    const visibility = new DeviceVisibility(async ({ visible }) => {
      reports.push(visible);
      if (fail) throw new Error('offline');
    });
    try {
      visibility.set('tab-1', true, 'device-abcdef', null);
      await new Promise((resolve) => setImmediate(resolve));
      fail = false;
      visibility.set('tab-1', true, 'device-abcdef', null);
      assert.deepEqual(reports, [true, true]);
    } finally {
      visibility.close();
    }
  });

  it('drops visibility messages without a boolean or a valid device id', () => {
    const base = { cometkit: PORT_PROTOCOL_VERSION, type: 'visibility', tab: 'tab-1', secret: 'Qm9vdGVkIGZyb20gYSB0YWI', user: null };
    assert.equal(typeof checkTabMessage({ ...base, visible: true, device: 'device-abcdef' }), 'object');
    for (const broken of [{ ...base, visible: 'yes', device: 'device-abcdef' }, { ...base, visible: true, device: 'short' }, { ...base, visible: true, device: '<script>alert(1)</script>' }, { ...base, visible: true, device: 'device-abcdef', user: 5 }]) {
      assert.equal(typeof checkTabMessage(broken), 'string', JSON.stringify(broken));
    }
  });
});
