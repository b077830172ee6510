// The main flows against a real OpenSearch 2.19.1 node (jars from Maven Central, CORS on), in
// Chromium: connect, list, take a snapshot with progress, restore over open indices.
// Runs only with ESSNAP_REAL_NODES=1 (`cargo xtask www` / `cargo xtask test` set it).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRealNode } from './support/processes.mjs';
import { startConsole, connectTo } from './support/browser.mjs';

const enabled = process.env.ESSNAP_REAL_NODES === '1';

async function text(page, sel) {
  return (await page.locator(sel).first().innerText()).trim();
}

describe('console against a real OpenSearch 2.19.1 node', { skip: enabled ? false : 'set ESSNAP_REAL_NODES=1 to run' }, () => {
  let node;
  let ui;
  let page;
  const call = async (method, p, body) => {
    const r = await fetch(`${node.url}${p}`, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    const t = await r.text();
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${t}`);
    return JSON.parse(t);
  };
  before(async () => {
    node = await startRealNode({ dist: 'opensearch', version: '2.19.1' });
    for (const i of ['logs-a', 'logs-b']) {
      await call('PUT', `/${i}`, { settings: { number_of_shards: 1, number_of_replicas: 0 } });
      for (let d = 0; d < 20; d++) await call('POST', `/${i}/_doc?refresh=${d === 19}`, { n: d, msg: `doc ${d} of ${i}`, pad: 'x'.repeat(2000) });
    }
    ui = await startConsole();
    page = await ui.page();
  });
  after(async () => {
    await ui?.close();
    await node?.stop();
  });

  it('connects and shows OpenSearch 2.19.1 with its health', async () => {
    await connectTo(page, node.url);
    await page.waitForSelector('#view-overview:not([hidden]) #health-card .badge');
    assert.match(await text(page, '#overview'), /OpenSearch/);
    assert.match(await text(page, '#overview'), /2\.19\.1/);
    assert.match(await text(page, '#health-card .badge'), /^(green|yellow)$/);
    await ui.shot(page, 'real-01-overview');
  });

  it('registers and verifies an fs repository', async () => {
    await page.click('nav a[data-view=repositories]');
    await page.fill('#repo-form input[name=name]', 'console');
    await page.fill('#repo-form input[name=location]', node.repoPath);
    await page.click('#repo-form button[type=submit]');
    await page.waitForSelector('#repo-form-msg .msg.ok', { timeout: 30000 });
    assert.match(await text(page, '#repo-form-msg'), /console registered and verified on 1 node/);
    await page.waitForSelector('#repos-table tr[data-repo=console]');
  });

  it('takes a snapshot with progress until SUCCESS and lists it', async () => {
    await page.click('nav a[data-view=create]');
    await page.selectOption('#create-form select[name=repository]', 'console');
    await page.fill('#create-form input[name=name]', 'real-snap-1');
    await page.fill('#create-form input[name=indices]', 'logs-*');
    await page.click('#create-form button[type=submit]');
    await page.waitForSelector('#create-progress .final-state', { timeout: 60000 });
    assert.match(await text(page, '#create-progress .final-state'), /real-snap-1: SUCCESS/);
    assert.match(await text(page, '#create-progress .shards'), /shards 2\/2/);
    await ui.shot(page, 'real-02-create');

    await page.click('nav a[data-view=snapshots]');
    await page.selectOption('#snaps-form select[name=repository]', 'console');
    await page.click('#snaps-form button[type=submit]');
    await page.waitForSelector('#snaps-table tr[data-snapshot=real-snap-1]');
    assert.match(await text(page, '#snaps-table tr[data-snapshot=real-snap-1]'), /SUCCESS/);
    assert.equal(await text(page, '#snaps-table tr[data-snapshot=real-snap-1] td.compat'), 'restorable');
    await ui.shot(page, 'real-03-snapshots');
  });

  it('restores over the open indices, closing them first', async () => {
    await page.click('#snaps-table tr[data-snapshot=real-snap-1] button[data-action=restore]');
    await page.waitForSelector('#restore-contents input[name=scope]');
    await page.check('#restore-form input[name=closeConflicting]');
    await page.click('#restore-form button[type=submit]');
    await page.waitForSelector('#restore-plan .plan', { timeout: 30000 });
    assert.equal(await page.getAttribute('#restore-plan .plan', 'data-blocked'), 'false');
    assert.deepEqual((await page.locator('#restore-plan ul.to-close li').allInnerTexts()).sort(), ['logs-a', 'logs-b']);
    await page.check('#restore-confirm');
    await page.click('#restore-go');
    await page.waitForSelector('#restore-progress .final-state', { timeout: 90000 });
    assert.match(await text(page, '#restore-progress .final-state'), /completed/);
    const finals = (await page.locator('#restore-progress .final-indices tbody tr').evaluateAll((rows) => rows.map((r) => [r.dataset.index, r.cells[1].innerText.trim()]))).sort();
    assert.deepEqual(finals, [['logs-a', 'restored'], ['logs-b', 'restored']]);
    await ui.shot(page, 'real-04-restore');
    const count = await call('GET', '/logs-a/_count');
    assert.equal(count.count, 20);
    assert.deepEqual(page.errors, []);
  });
});
