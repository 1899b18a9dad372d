// Helpers for the browser tests: Debian's Chromium driven by playwright-core, axe-core for
// accessibility, full-page screenshots into <build>/screenshots/ for people to look at.
// Runs on Node 18 (see shared/TOOLCHAIN.md: playwright-core is pinned to 1.61.0 for that).
//
//   const b = await launch();
//   const { context, page } = await newPage(b, { width: 'phone', colorScheme: 'dark' });
//   const res = await page.goto(url('/'));
//   await axeCheck(page);
//   await screenshot(page, 'home-phone-dark');
//   await close(b);
//
// The server and its state file come from the ctest fixture cairn_server, like the
// integration tests (CAIRN_IT_STATE).

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { state, BASE_URL } from '../integration/lib.mjs';

export { state, BASE_URL };

export const CHROMIUM = process.env.CAIRN_CHROMIUM || '/usr/bin/chromium';

// The flags TOOLCHAIN.md lists for Debian's Chromium in a container.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Viewports: a desktop 1280 wide, a phone 390 wide (iPhone 12-15 size). */
export const SIZES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
};

/** The absolute URL of a path on the test server. */
export function url(p) {
  return BASE_URL + p;
}

/**
 * Start Chromium with a fresh, temporary profile. Playwright refuses --user-data-dir in
 * args (it wants launchPersistentContext, which allows one context only) and makes a new
 * profile directory under os.tmpdir() for every launch: TMPDIR points at a directory of our
 * own for that, removed by close() whatever Chromium leaves behind.
 */
export async function launch() {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-browser-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, timeout: 60000 });
    browser.cairnTmp = dir;
    return browser;
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    if (before === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = before;
  }
}

export async function close(browser) {
  if (!browser) return;
  await browser.close().catch(() => {});
  if (browser.cairnTmp) rmSync(browser.cairnTmp, { recursive: true, force: true });
}

/**
 * A new context (axe needs one from browser.newContext()) and a page in it.
 *   opts: { width: 'desktop'|'phone', colorScheme: 'light'|'dark', javaScriptEnabled }
 * The page records console errors, uncaught exceptions and failed sub-resources in
 * page.cairnProblems (a CSP violation shows up there as a console error).
 */
export async function newPage(browser, { width = 'desktop', colorScheme = 'light', javaScriptEnabled = true } = {}) {
  const context = await browser.newContext({
    ...SIZES[width],
    deviceScaleFactor: 1,
    colorScheme,
    javaScriptEnabled,
    locale: 'en-US',
    timezoneId: 'America/New_York',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  await page.emulateMedia({ colorScheme });
  page.cairnProblems = [];
  page.on('console', (m) => {
    // Chromium logs every status >= 400 as "Failed to load resource"; the document's own
    // status is the test's business and sub-resources are caught below, by URL.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource:')) {
      page.cairnProblems.push(`console error: ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => page.cairnProblems.push(`uncaught exception: ${e.message}`));
  page.on('requestfailed', (r) => {
    // net::ERR_ABORTED is Chromium cancelling a load because the page navigated on (a
    // click or a form submit while the logo was still loading), not a resource that
    // failed; a missing or refused resource still shows up here or as a status >= 400.
    const why = r.failure()?.errorText;
    if (why === 'net::ERR_ABORTED') return;
    page.cairnProblems.push(`request failed: ${r.url()} (${why})`);
  });
  page.on('response', (r) => {
    // The page's own status is checked by the tests; its resources must all load.
    if (r.status() >= 400 && r.request().resourceType() !== 'document') {
      page.cairnProblems.push(`${r.status()} for ${r.url()}`);
    }
  });
  return { context, page };
}

/** Fail if the page logged a console error, threw, or a resource did not load. */
export function assertNoProblems(page) {
  assert.deepEqual(page.cairnProblems, [], 'console errors, exceptions or failed resources');
}

/**
 * Run axe-core on the page (all rules but experimental ones: WCAG 2.x A/AA and best
 * practices) and fail with one line per violation: id, impact, help, and the nodes.
 * Legacy mode runs axe.run inside the page itself: the same results for pages without
 * iframes (Cairn's have none), three times faster than the default, which opens an extra
 * blank page per check to merge per-frame results (measured: 0.8 s vs 3.2 s a page).
 *   opts.known: [{ id, target, why }] — violations already reported and waiting for a fix
 *   elsewhere (rule id and the node's selector, as axe prints it). They do not fail this
 *   call; it returns them as text ('' if none) for the caller's todo subtest.
 */
export async function axeCheck(page, { exclude = [], known = [] } = {}) {
  let builder = new AxeBuilder({ page }).setLegacyMode(true);
  for (const sel of exclude) builder = builder.exclude(sel);
  const results = await builder.analyze();
  const isKnown = (v, n) => known.some((k) => k.id === v.id && k.target === n.target.join(' '));
  const split = (keep) => results.violations
    .map((v) => ({ ...v, nodes: v.nodes.filter((n) => isKnown(v, n) === keep) }))
    .filter((v) => v.nodes.length);
  const unknown = split(false);
  if (unknown.length) {
    assert.fail(`axe-core found ${unknown.length} violation(s) on ${page.url()}:\n` +
                formatViolations(unknown));
  }
  return formatViolations(split(true));
}

export function formatViolations(violations) {
  return violations.map((v) => {
    const nodes = v.nodes.map((n) => {
      const why = (n.failureSummary || '').split('\n').slice(1, 2).join(' ').trim();
      return `      ${n.target.join(' ')}${why ? ` — ${why}` : ''}`;
    });
    return `  ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n${nodes.join('\n')}`;
  }).join('\n');
}

/** The directory screenshots go to: <build>/screenshots/. */
export function screenshotDir() {
  const dir = path.join(state.CAIRN_IT_BUILD, 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Save a full-page PNG as <build>/screenshots/<name>.png; returns its path. */
export async function screenshot(page, name) {
  const file = path.join(screenshotDir(), `${name.replace(/[^A-Za-z0-9_.-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/** Does the page scroll sideways (content wider than the viewport)? Returns the widths. */
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > doc.clientWidth + 1)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}`);
    return { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, wide };
  });
}
