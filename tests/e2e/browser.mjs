// Debian's Chromium, headless, with the flags this sandbox needs (no background networking: the
// machine's closed network refuses it).
import { chromium } from 'playwright-core';

export const launch = (extra = []) => chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', ...extra],
});
