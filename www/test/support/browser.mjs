// Chromium (Debian's, driven by playwright-core) plus the console's static server.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../tools/serve.mjs';
import { wwwRoot } from './processes.mjs';

export const shotsDir = path.join(wwwRoot, 'screenshots');
const CHROMIUM = process.env.ESSNAP_CHROMIUM ?? '/usr/bin/chromium';

/** {browser, web, page(opts), shot(page, name), close()}: everything stops in close(). */
export async function startConsole() {
  mkdirSync(shotsDir, { recursive: true });
  const web = await startServer();
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 30000, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  } catch (e) {
    await web.close();
    throw e;
  }
  const contexts = [];
  return {
    web,
    browser,
    /** A fresh page (own context: own sessionStorage) with the console loaded. */
    async page({ width = 1280, height = 900, hash = '' } = {}) {
      const ctx = await browser.newContext({ viewport: { width, height } });
      contexts.push(ctx);
      const page = await ctx.newPage();
      page.setDefaultTimeout(15000);
      page.errors = [];
      page.on('pageerror', (e) => page.errors.push(String(e)));
      page.on('console', (m) => m.type() === 'error' && !/Failed to load resource|CORS|ERR_FAILED|ERR_CONNECTION_REFUSED/.test(m.text()) && page.errors.push(m.text()));
      await page.goto(`${web.url}/${hash}`);
      await page.waitForSelector('body[data-ready="true"]');
      return page;
    },
    async shot(page, name, { fullPage = true } = {}) {
      await page.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage });
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      await web.close();
    },
  };
}

/** Fills the connect form and waits for the overview. */
export async function connectTo(page, url, { auth = 'none', username, password, apiKey, remember = false } = {}) {
  await page.goto(`${new URL(page.url()).origin}/#/connect`);
  await page.fill('#connect-form input[name=url]', url);
  await page.check(`#connect-form input[name=auth][value=${auth}]`);
  if (auth === 'basic') {
    await page.fill('#connect-form input[name=username]', username);
    await page.fill('#connect-form input[name=password]', password);
  }
  if (auth === 'apikey') await page.fill('#connect-form input[name=apiKey]', apiKey);
  if (remember) await page.check('#connect-form input[name=remember]');
  await page.click('#connect-form button[type=submit]');
}
