// WCAG 2.0, 2.1 and 2.2 A and AA, as axe-core checks them, on the page as it stands: any
// violation fails the journey, with each rule, what it means and the elements that break it.
import { AxeBuilder } from '@axe-core/playwright';

export const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/// The violations on `page` (an empty list when it passes).
export async function violations(page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  return results.violations;
}

export async function audit(page, what) {
  const found = await violations(page);
  if (found.length > 0) {
    const said = found.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n    ')}`);
    throw new Error(`axe: ${what} (${page.url()}) breaks WCAG:\n  ${said.join('\n  ')}`);
  }
  console.log(`ok - axe: ${what} passes WCAG 2.2 A and AA`);
}
