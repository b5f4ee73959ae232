// Debian's Chromium, headless, with the flags this sandbox needs (no background networking: the
// machine's closed network refuses it). Every context bypasses the pages' Content-Security-Policy
// so axe-core can be injected (the policy itself is tested by the Rust suite).
import { chromium } from 'playwright-core';

export const launch = async (extra = []) => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', ...extra],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = (options = {}) => newContext({ bypassCSP: true, ...options });
  browser.newPage = async (options = {}) => (await browser.newContext(options)).newPage();
  return browser;
};
