/// <reference lib="dom" />
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (the kept accessibility engine, injected into the page) and returns the
 * serious and critical violations: rule, impact, and where.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeFinding[]> {
  await page.addScriptTag({ path: require.resolve('axe-core') });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<any> } })
      .axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return (results.violations as any[])
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({
        id: violation.id as string,
        impact: violation.impact as string,
        help: violation.help as string,
        targets: (violation.nodes as any[]).map((node) => String(node.target)),
      }));
  });
}
