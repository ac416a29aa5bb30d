// Opens the Swagger UI of a running `plugctl serve` in the system's headless Chromium, checks that
// the operations are rendered, then runs "Try it out" -> "Execute" on POST /v1/chat with the
// documented example body. Prints one JSON object on stdout; exits non-zero with the reason (and
// what the page said) on stderr if anything is off.
//
// Usage: node swagger-ui.js http://127.0.0.1:PORT
// $CHROMIUM overrides the browser (default /usr/bin/chromium); no browser is ever downloaded.

'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const TIMEOUT_MS = 30_000;

async function main() {
  const base = process.argv[2];
  if (!base || !/^http:\/\/127\.0\.0\.1:\d+$/.test(base)) {
    throw new Error(`expected the server's base URL (http://127.0.0.1:PORT), got ${base}`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'plugctl-chromium-'));
  const pageErrors = [];
  const foreign = [];
  let context;
  try {
    // A persistent context is how Playwright takes a user-data-dir: a fresh one per run.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      timeout: TIMEOUT_MS,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        // Without these Chromium phones home at start-up, which a closed network refuses.
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(TIMEOUT_MS);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    // The docs are vendored: anything fetched from another origin is a failure.
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:')) foreign.push(r.url());
    });

    const landed = await page.goto(`${base}/api/docs`, { waitUntil: 'load' });
    if (!landed || landed.status() !== 200) {
      throw new Error(`GET /api/docs answered ${landed && landed.status()}`);
    }
    await page.waitForSelector('.opblock-summary', { state: 'visible' });
    const operations = await page.$$eval('.opblock-summary', (rows) =>
      rows.map((row) => {
        const method = row.querySelector('.opblock-summary-method');
        const route = row.querySelector('.opblock-summary-path');
        return `${method && method.textContent.trim()} ${
          route && (route.getAttribute('data-path') || route.textContent.trim())
        }`;
      }),
    );
    const title = (await page.textContent('.info .title')) || '';

    // Open POST /v1/chat (operation id `chat`, tag `chat`).
    const chat = page.locator('#operations-chat-chat');
    await chat.locator('.opblock-summary').click();
    const tryIt = chat.locator('button.try-out__btn');
    await tryIt.waitFor();
    // The page enables "Try it out" up front (the button then reads "Cancel"); click it only
    // when it still offers to.
    if ((await tryIt.textContent()).trim() === 'Try it out') await tryIt.click();
    const requestBody = await chat.locator('textarea.body-param__text').inputValue();
    await chat.locator('button.execute').click();

    const status = chat.locator('.live-responses-table .response .response-col_status');
    await status.first().waitFor();
    const code = (await status.first().textContent()).trim();
    const body = chat.locator('.live-responses-table .response-col_description pre').first();
    await body.waitFor();
    const text = (await body.textContent()).trim();
    let reply;
    try {
      reply = JSON.parse(text);
    } catch (e) {
      throw new Error(`the response body shown is not JSON: ${text}`);
    }
    if (foreign.length) throw new Error(`the page loaded from other origins: ${foreign.join(', ')}`);
    process.stdout.write(
      `${JSON.stringify({ title: title.trim(), operations, request_body: requestBody, status: code, response: reply, page_errors: pageErrors })}\n`,
    );
  } catch (e) {
    const said = pageErrors.length ? `\npage errors:\n  ${pageErrors.join('\n  ')}` : '';
    throw new Error(`${e.message}${said}`);
  } finally {
    if (context) await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`swagger-ui.js: ${e.message}\n`);
    process.exit(1);
  },
);
