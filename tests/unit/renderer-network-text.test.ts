// What the views say about networks: a tunnel's overhead is its own pie slice (never an app, never in
// Other), the picker's options, metered marks, and the flagged-hour sentence with its meaning.
process.env.TZ = 'Europe/Berlin';
import { describe, expect, it } from 'vitest';
import { ledgerFlagText, ledgerStatusText, meteredText, pickerLabel } from '../../src-renderer/lib/network-text.js';
import { appRows, pieSlices } from '../../src-renderer/lib/selectors.js';

describe('pie slices with a tunnel', () => {
  it('keeps each overhead row apart, as overhead, even when small', () => {
    const apps = [
      { app: 'Firefox', bytesIn: 900, bytesOut: 100 },
      { app: 'Slack', bytesIn: 40, bytesOut: 10 },
      { app: 'VPN overhead (OpenVPN)', bytesIn: 3, bytesOut: 2 },
      { app: '(unattributed)', bytesIn: 20, bytesOut: 0 },
    ];
    expect(pieSlices(apps, 1).map((s) => [s.name, s.kind, s.total])).toEqual([
      ['Firefox', 'app', 1000],
      ['Other (1 apps)', 'other', 50],
      ['VPN overhead (OpenVPN)', 'overhead', 5],
      ['Unattributed', 'unattributed', 20],
    ]);
    expect(appRows(apps).map((r) => [r.app, r.overhead, r.unattributed])).toEqual([
      ['Firefox', false, false],
      ['Slack', false, false],
      ['VPN overhead (OpenVPN)', true, false],
      ['(unattributed)', false, true],
    ]);
  });
});

describe('network words', () => {
  it.each([
    [{ label: 'Wi-Fi · a1b2', kind: 'wifi', metered: false }, 'Wi-Fi · a1b2'],
    [{ label: 'Home', kind: 'wifi', metered: false }, 'Home · Wi-Fi'],
    [{ label: 'Hotspot · 6f01', kind: 'hotspot', metered: true }, 'Hotspot · 6f01 · metered'],
    [{ label: 'Anna’s phone', kind: 'hotspot', metered: true }, 'Anna’s phone · hotspot, metered'],
    [{ label: 'Unknown network', kind: '', metered: null }, 'Unknown network'],
  ])('picker option %j → %s', (n, text) => {
    expect(pickerLabel(n)).toBe(text);
  });

  it.each([
    [{ metered: true, meteredBy: 'netmon' as const }, 'metered'],
    [{ metered: false, meteredBy: 'user' as const }, 'not metered (your mark)'],
    [{ metered: null, meteredBy: 'netmon' as const }, 'metered?'],
  ])('metered %j → %s', (n, text) => {
    expect(meteredText(n)).toBe(text);
  });

  it('says a flagged hour plainly: when, what it means, the two figures', () => {
    // 2026-12-04 15:00 Berlin.
    const hourStart = Date.UTC(2026, 11, 4, 14) / 1000;
    const text = ledgerFlagText([{ hourStart, physical: { bytesIn: 500e6, bytesOut: 0 }, sockets: { bytesIn: 1.1e9, bytesOut: 0 }, reason: 'r' }]);
    expect(text.headline).toBe("In one hour of this range (4 Dec 2026, 15:00–16:00) the apps' connections counted more than 1.2 × what the network interfaces counted.");
    expect(text.meaning).toContain('content filter');
    expect(text.meaning).toContain('per-app figures may add up to more than the interface total');
    expect(text.hours).toEqual(['4 Dec 2026, 15:00–16:00: connections 1.10 GB, interfaces 500.00 MB']);
    expect(ledgerFlagText([{ hourStart, physical: { bytesIn: 1, bytesOut: 0 }, sockets: { bytesIn: 2, bytesOut: 0 }, reason: '' }, { hourStart: hourStart + 3600, physical: { bytesIn: 1, bytesOut: 0 }, sockets: { bytesIn: 2, bytesOut: 0 }, reason: '' }]).headline).toMatch(/^In 2 hours of this range/);
    expect(ledgerStatusText(2)).toBe('ledger: 2 flagged hours in the last 24 h (connections over 1.2 × the interfaces)');
  });
});
