// Reading the mail the journeys' SMTP server (aiosmtpd, tests/tools/smtp_sink.py) keeps as JSON.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The first mail in `maildir` to `to` holding a link with `path`, waiting up to 15 s; its link. */
export async function linkTo(maildir, to, path) {
  for (let i = 0; i < 150; i += 1) {
    for (const file of readdirSync(maildir).filter((f) => f.endsWith('.json'))) {
      const mail = JSON.parse(readFileSync(join(maildir, file), 'utf8'));
      const link = mail.text.split(/\s+/).find((w) => w.startsWith('http') && w.includes(path));
      if (mail.rcpt_tos.includes(to) && link) return { mail, link };
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.fail(`no mail to ${to} with a ${path} link`);
}
