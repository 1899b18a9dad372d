// The public pages in a real browser: the series home, the Core Practice May 2026 offering
// and a 404 page, at desktop (1280) and phone (390) widths, in light and dark colour
// schemes. Each is screenshotted into <build>/screenshots/, checked for its key content,
// for sideways scrolling on the phone, for console errors (CSP violations included) and
// with axe-core. The offering page is also checked with JavaScript disabled.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, close, newPage, url, axeCheck, screenshot, assertNoProblems, horizontalOverflow,
} from './lib.mjs';

const PAGES = [
  {
    name: 'home',
    path: '/',
    status: 200,
    async check(page) {
      await visible(page.getByRole('heading', { level: 1, name: 'Palliative Care Education Series' }));
      for (const title of ['Foundations of Palliative Care', 'Core Practice of Palliative Care',
        'Third course (to be announced)']) {
        await visible(page.getByRole('heading', { level: 2, name: title }));
      }
      await visible(page.getByRole('link', { name: 'May 13–15, 2026' }));
    },
  },
  {
    name: 'offering',
    path: '/offerings/core-practice-2026-05',
    status: 200,
    async check(page) {
      await visible(page.getByRole('heading', { level: 1, name: 'Core Practice of Palliative Care' }));
      await visible(page.getByRole('heading', { level: 3, name: /Day 2 · Thursday, May 14, 2026/ }));
      const item = page.locator('li.agenda-item', { hasText: 'Delivering Serious News -- Practice' });
      await visible(item);
      assert.equal(norm(await item.locator('.agenda-time').innerText()), '11:15 am–1:00 pm');
      await visible(page.locator('li.agenda-item', { hasText: 'Pain' }).locator('.breakouts .track').first());
      const fees = page.getByRole('table', { name: /Course fee by role/ });
      await visible(fees);
      assert.equal(await fees.locator('tbody tr').count(), 7);
      await visible(fees.getByRole('cell', { name: '$1,795.50' }).first());
      await visible(page.getByText('A non-refundable processing fee of $10'));
    },
  },
  {
    name: '404',
    path: '/no/such/page',
    status: 404,
    async check(page) {
      await visible(page.getByRole('heading', { level: 1, name: 'Not Found' }));
      await visible(page.getByRole('link', { name: 'Go to the list of courses' }));
    },
  },
];

// Accessibility problems already reported, waiting for a template/CSS fix (not the tests'
// to make): they show up as todo subtests instead of failing the page's test.
// TODO(templates): templates/offering.html wraps the fee table in <div class="table-wrap">,
// which scrolls sideways on a phone (overflow-x) but cannot get keyboard focus, so keyboard
// users cannot scroll it (axe scrollable-region-focusable, serious; WCAG 2.1.1). Give the
// wrapper tabindex="0", role="region" and an aria-label (or let the table fit).
const KNOWN_AXE = [];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await close(browser); });

for (const width of ['desktop', 'phone']) {
  for (const colorScheme of ['light', 'dark']) {
    describe(`${width}, ${colorScheme}`, () => {
      for (const p of PAGES) {
        test(`${p.name} (${p.path})`, async (t) => {
          const { context, page } = await newPage(browser, { width, colorScheme });
          try {
            const res = await page.goto(url(p.path), { waitUntil: 'load' });
            assert.equal(res.status(), p.status);
            const shot = await screenshot(page, `${p.name}-${width}-${colorScheme}`);
            await p.check(page);
            if (width === 'phone') {
              const o = await horizontalOverflow(page);
              assert.ok(o.scrollWidth <= o.clientWidth,
                `the page scrolls sideways on a phone: ${o.scrollWidth} px wide in a ` +
                `${o.clientWidth} px viewport (wide: ${o.wide.join(', ')}; see ${shot})`);
            }
            assertNoProblems(page);
            const known = await axeCheck(page, { known: KNOWN_AXE });
            if (known) {
              await t.test('known accessibility violations', { todo: 'reported; fix in templates/' }, () => {
                assert.fail(`axe-core violations waiting for a fix:\n${known}`);
              });
            }
          } finally {
            await context.close();
          }
        });
      }
    });
  }
}

describe('without JavaScript', () => {
  test('the offering page shows its agenda and fees', async () => {
    const { context, page } = await newPage(browser, { javaScriptEnabled: false });
    try {
      const res = await page.goto(url('/offerings/core-practice-2026-05'));
      assert.equal(res.status(), 200);
      await PAGES[1].check(page);
      // The "On this page" links work without script.
      await page.getByRole('link', { name: 'Fees' }).click();
      assert.match(page.url(), /#fees$/);
      await screenshot(page, 'offering-desktop-light-nojs');
      assertNoProblems(page);
    } finally {
      await context.close();
    }
  });
});

async function visible(locator) {
  await locator.waitFor({ state: 'visible', timeout: 5000 });
}

function norm(s) {
  return s.replace(/\s+/g, ' ').trim();
}
