// The console: views, forms and state. Every call to the essnap package goes through api.js.
import * as api from './api.js';
import { el, set, badge, stateBadge, verdictBadge, healthBadge, errorBox, msg, bytes, when, progressBlock, confirmDialog, toast } from './ui.js';

const STORE_KEY = 'essnap.console.connection';
const state = {
  session: null,
  repositories: [],
  snaps: { pager: null, pages: [], index: -1, query: null },
  restore: { contents: null, plan: null },
};
const $ = (sel, root = document) => root.querySelector(sel);

function fail(target, e, title) {
  const v = api.errorView(e);
  const extra = api.isCors(e) ? corsHelp() : null;
  set(target, errorBox(v, { title, extra }));
  return v;
}

function corsHelp() {
  const origin = location.origin;
  return el(
    'div.cors-help',
    el('p', el('strong', 'The cluster blocked this page (CORS).'), ' Add these settings to elasticsearch.yml / opensearch.yml on every node and restart:'),
    el('pre', `http.cors.enabled: true\nhttp.cors.allow-origin: "${origin}"\nhttp.cors.allow-headers: "Authorization, Content-Type, X-Requested-With"`),
    el('p.muted', 'Authorization must be in http.cors.allow-headers for credentials to be sent. Or serve this console and the cluster from one origin (a reverse proxy).'),
  );
}

// ---------------------------------------------------------------------------------------------
// Routing

const VIEWS = ['connect', 'overview', 'repositories', 'snapshots', 'create', 'restore', 'ece'];
const NEEDS_CONN = new Set(['overview', 'repositories', 'snapshots', 'create', 'restore']);

function route() {
  let name = (location.hash.match(/^#\/(\w+)/) ?? [])[1] ?? 'connect';
  if (!VIEWS.includes(name)) name = 'connect';
  if (NEEDS_CONN.has(name) && !state.session) name = 'connect';
  for (const v of VIEWS) $(`#view-${v}`).hidden = v !== name;
  for (const a of document.querySelectorAll('.tabs a')) {
    if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
    if (a.hasAttribute('data-needs-conn')) a.setAttribute('aria-disabled', state.session ? 'false' : 'true');
  }
  document.body.dataset.view = name;
  onShow[name]?.();
}

const onShow = {
  overview: () => loadOverview(),
  repositories: () => loadRepositories(),
  snapshots: () => {
    fillRepoSelects();
    if (!state.snaps.pages.length) startSnapshots();
  },
  create: () => fillRepoSelects(),
  restore: () => fillRepoSelects(),
};

function go(view) {
  if (location.hash === `#/${view}`) route();
  else location.hash = `#/${view}`;
}

// ---------------------------------------------------------------------------------------------
// Connect

function authFromForm(f) {
  const kind = f.auth.value;
  if (kind === 'basic') return { kind, username: f.username.value, password: f.password.value };
  if (kind === 'apikey') return { kind, apiKey: f.apiKey.value.trim() };
  return { kind: 'none' };
}

function showAuthFields() {
  const f = $('#connect-form');
  $('.auth-basic', f).hidden = f.auth.value !== 'basic';
  $('.auth-apikey', f).hidden = f.auth.value !== 'apikey';
}

async function doConnect(url, auth, remember) {
  const out = $('#connect-result');
  set(out, msg('info', `Connecting to ${url}…`));
  try {
    const s = await api.connect({ url, auth, timeoutMs: 15000 });
    state.session?.close();
    state.session = s;
    state.repositories = [];
    state.snaps = { pager: null, pages: [], index: -1, query: null };
    if (remember) sessionStorage.setItem(STORE_KEY, JSON.stringify({ url, auth }));
    else sessionStorage.removeItem(STORE_KEY);
    const c = s.cluster;
    set('conn-status', `${s.info?.cluster_name ?? 'cluster'} · ${c.distribution} ${c.version} · ${s.url}`);
    $('#disconnect').hidden = false;
    set(out, msg('ok', `Connected to ${c.distribution} ${c.version}.`));
    go('overview');
  } catch (e) {
    fail(out, e, 'Could not connect');
  }
}

function disconnect() {
  state.session?.close();
  state.session = null;
  sessionStorage.removeItem(STORE_KEY);
  set('conn-status', 'Not connected');
  $('#disconnect').hidden = true;
  set('connect-result');
  go('connect');
}

// ---------------------------------------------------------------------------------------------
// Overview

async function loadOverview() {
  const s = state.session;
  const box = $('#overview');
  const info = s.info ?? {};
  const card = (label, value, extra) => el('div.card', el('div.label', label), el('div.value', value), extra);
  set(
    box,
    card('Distribution', s.cluster.distribution === 'opensearch' ? 'OpenSearch' : 'Elasticsearch'),
    card('Version', s.cluster.version),
    card('Cluster name', info.cluster_name ?? '–'),
    el('div.card#health-card', el('div.label', 'Health'), el('div.value', 'loading…')),
  );
  try {
    const h = await s.health();
    set(
      $('#health-card'),
      el('div.label', 'Health'),
      el('div.value', healthBadge(h.status)),
      el('div.muted', `${h.number_of_nodes ?? '?'} node(s) · ${h.active_shards ?? '?'} active shards · ${h.unassigned_shards ?? 0} unassigned`),
    );
  } catch (e) {
    const v = api.errorView(e);
    set($('#health-card'), el('div.label', 'Health'), el('div.value', badge('unavailable', 'neutral')), el('div.muted', `${v.code}: ${v.message}`));
  }
}

// ---------------------------------------------------------------------------------------------
// Repositories

async function refreshRepositories() {
  state.repositories = await state.session.listRepositories();
  state.repositories.sort((a, b) => a.name.localeCompare(b.name));
  return state.repositories;
}

function fillRepoSelects() {
  const fill = async () => {
    if (!state.repositories.length) {
      try {
        await refreshRepositories();
      } catch {
        return;
      }
    }
    for (const sel of document.querySelectorAll('select[name=repository]')) {
      const cur = sel.value;
      sel.replaceChildren(...state.repositories.map((r) => el('option', { value: r.name }, `${r.name} (${r.type})`)));
      if (cur && state.repositories.some((r) => r.name === cur)) sel.value = cur;
    }
  };
  return fill();
}

function settingsText(settings) {
  return Object.entries(settings ?? {})
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`)
    .join(', ');
}

async function loadRepositories() {
  const tbody = $('#repos-table tbody');
  const out = $('#repos-msg');
  set(out);
  try {
    await refreshRepositories();
  } catch (e) {
    fail(out, e, 'Could not list repositories');
    return;
  }
  set(
    tbody,
    state.repositories.length
      ? state.repositories.map((r) =>
          el(
            'tr',
            { 'data-repo': r.name },
            el('td.mono', r.name),
            el('td', badge(r.type, 'info')),
            el('td.mono', settingsText(r.settings)),
            el(
              'td',
              el(
                'div.actions',
                el('button.btn.small', { type: 'button', 'data-action': 'verify', onclick: () => verifyRepo(r.name) }, 'Verify'),
                el('button.btn.small', { type: 'button', 'data-action': 'remove', onclick: () => removeRepo(r.name) }, 'Remove'),
              ),
            ),
          ),
        )
      : el('tr', el('td', { colspan: '4' }, 'No repositories registered.')),
  );
  fillRepoSelects();
}

async function verifyRepo(name) {
  const out = $('#repos-msg');
  set(out, msg('info', `Verifying ${name}…`));
  try {
    const r = await state.session.verifyRepository(name);
    const nodes = Object.entries(r.nodes ?? {});
    set(out, msg('ok', el('h3', `Repository ${name} verified`), el('p', `${nodes.length} node(s) can use it:`), el('ul.list', nodes.map(([id, n]) => el('li.mono', `${n.name ?? id} (${id})`)))));
  } catch (e) {
    fail(out, e, `Verification of ${name} failed`);
  }
}

async function removeRepo(name) {
  const ok = await confirmDialog(`Remove repository "${name}"? Its snapshots stay in the storage; only the registration is removed.`, { confirmLabel: 'Remove', danger: true });
  if (!ok) return;
  const out = $('#repos-msg');
  set(out, msg('info', `Removing ${name}…`));
  try {
    await state.session.removeRepository(name);
    await loadRepositories();
    set(out, msg('ok', `Repository ${name} removed.`));
  } catch (e) {
    fail(out, e, `Could not remove ${name}`);
  }
}

// Where each cloud type keeps its credentials (node keystore entries, never repository settings).
const KEYSTORE = {
  s3: (c) => [`s3.client.${c}.access_key`, `s3.client.${c}.secret_key`],
  gcs: (c) => [`gcs.client.${c}.credentials_file (add-file: the service account JSON)`],
  azure: (c) => [`azure.client.${c}.account`, `azure.client.${c}.key (or sas_token)`],
};

function repoFormType() {
  const f = $('#repo-form');
  const type = f.type.value;
  $('.repo-fs', f).hidden = type !== 'fs';
  $('.repo-url', f).hidden = type !== 'url';
  $('.repo-cloud', f).hidden = !KEYSTORE[type];
  $('.repo-bucket', f).hidden = type === 'azure';
  $('.repo-container', f).hidden = type !== 'azure';
  $('.repo-s3', f).hidden = type !== 's3';
  const client = f.client.value.trim() || 'default';
  if (KEYSTORE[type]) {
    set(
      $('.repo-keystore', f),
      el('strong', `${type} credentials belong in the node keystore`),
      ', never in repository settings: ',
      KEYSTORE[type](client).map((k, i) => [i ? ' and ' : '', el('code', k)]),
      ' with ',
      el('code', 'bin/elasticsearch-keystore add'),
      ' (OpenSearch: ',
      el('code', 'opensearch-keystore'),
      ') on every node, then ',
      el('code', 'POST _nodes/reload_secure_settings'),
      '.',
    );
  }
  const lines = [];
  if (f.endpoint.value.trim()) lines.push(`s3.client.${client}.endpoint: "${f.endpoint.value.trim()}"`);
  if (f.path_style_access.checked) lines.push(`s3.client.${client}.path_style_access: true`);
  lines.push(`# keystore, on every node:`, `#   bin/elasticsearch-keystore add s3.client.${client}.access_key`, `#   bin/elasticsearch-keystore add s3.client.${client}.secret_key`);
  set('s3-client-snippet', lines.join('\n'));
}

async function addRepo(ev) {
  ev.preventDefault();
  const f = ev.target;
  const out = $('#repo-form-msg');
  const name = f.name.value.trim();
  const type = f.type.value;
  const settings = {};
  if (type === 'fs') settings.location = f.location.value.trim();
  else if (type === 'url') settings.url = f.url.value.trim();
  else {
    // endpoint / path_style_access are client settings (node configuration): shown as a snippet, not sent.
    const keys = type === 'azure' ? ['container', 'base_path', 'client'] : ['bucket', 'base_path', 'client'];
    for (const k of keys) if (f[k].value.trim()) settings[k] = f[k].value.trim();
  }
  set(out, msg('info', `Registering ${name}…`));
  try {
    await state.session.addRepository(name, type, settings);
    let verified = null;
    if (f.verify.checked) {
      try {
        const v = await state.session.verifyRepository(name);
        verified = Object.keys(v.nodes ?? {}).length;
      } catch (e) {
        await loadRepositories();
        fail(out, e, `Registered ${name}, but verification failed`);
        return;
      }
    }
    await loadRepositories();
    set(out, msg('ok', `Repository ${name} registered${verified !== null ? ` and verified on ${verified} node(s)` : ''}.`));
    f.reset();
    repoFormType();
  } catch (e) {
    fail(out, e, `Could not register ${name}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Snapshots: cursor paging, one page in the DOM at a time

function snapsQuery() {
  const f = $('#snaps-form');
  return { repository: f.repository.value, filter: f.filter.value, sort: f.sort.value, order: f.order.value, size: Number(f.size.value) };
}

async function startSnapshots() {
  await fillRepoSelects();
  const q = snapsQuery();
  if (!q.repository) {
    set('snaps-msg', msg('info', 'No repository yet: add one under Repositories.'));
    return;
  }
  await state.snaps.pager?.close().catch(() => {});
  state.snaps = { pager: state.session.snapshotPager(q), pages: [], index: -1, query: q, total: undefined };
  await showSnapshotPage(0);
}

async function showSnapshotPage(i) {
  const sn = state.snaps;
  const out = $('#snaps-msg');
  set(out);
  if (i >= sn.pages.length) {
    set('snaps-pageinfo', 'loading…');
    $('#snaps-next').disabled = true;
    try {
      const page = await sn.pager.next();
      if (!page) {
        if (!sn.pages.length) set(out, msg('info', 'No snapshots match.'));
        else set(out, msg('info', 'That was the last page.'));
        sn.lastKnown = true;
        renderSnapshotPage();
        return;
      }
      sn.pages.push(page);
      if (page.remaining === 0 || page.snapshots.length < sn.query.size) sn.lastKnown = true;
      if (page.total !== undefined && page.total !== null) sn.total = page.total;
      // Bounded memory: keep at most 50 pages cached (earlier pages are re-read by restarting).
      if (sn.pages.length > 50) sn.pages[sn.pages.length - 51] = null;
    } catch (e) {
      fail(out, e, 'Could not list snapshots');
      renderSnapshotPage();
      return;
    }
  }
  if (!sn.pages[i]) {
    await startSnapshots();
    return;
  }
  sn.index = i;
  renderSnapshotPage();
}

function renderSnapshotPage() {
  const sn = state.snaps;
  const page = sn.pages[sn.index];
  const rows = page?.snapshots ?? [];
  const first = sn.pages.slice(0, sn.index).reduce((n, p) => n + (p?.snapshots.length ?? 0), 0);
  set('snaps-pageinfo', rows.length ? `Page ${sn.index + 1} · snapshots ${first + 1}–${first + rows.length}${sn.total !== undefined ? ` of ${sn.total}` : ''}` : '–');
  $('#snaps-prev').disabled = sn.index <= 0;
  $('#snaps-next').disabled = Boolean((sn.pager?.done || sn.lastKnown) && sn.index >= sn.pages.length - 1);
  set(
    $('#snaps-table tbody'),
    rows.map((s) =>
      el(
        'tr',
        { 'data-snapshot': s.snapshot },
        el('td', el('button.link', { type: 'button', onclick: () => showDetails(s) }, s.snapshot)),
        el('td', stateBadge(s.state)),
        el('td.mono', s.version ?? '–'),
        el('td.compat', verdictBadge(state.session.compatibility(s))),
        el('td', when(s.start_time)),
        el('td.num', String(s.indices?.length ?? 0)),
        el('td.num', s.shards ? `${s.shards.successful}/${s.shards.total}` : '–'),
        el(
          'td',
          el(
            'div.actions',
            el('button.btn.small', { type: 'button', 'data-action': 'restore', onclick: () => restoreFrom(sn.query.repository, s.snapshot) }, 'Restore…'),
            el('button.btn.small', { type: 'button', 'data-action': 'delete', onclick: () => deleteSnapshot(sn.query.repository, s) }, 'Delete…'),
          ),
        ),
      ),
    ),
  );
}

async function deleteSnapshot(repository, s) {
  const running = s.state === 'IN_PROGRESS';
  const ok = await confirmDialog(
    running
      ? `Snapshot "${s.snapshot}" is still running: deleting it aborts it, and what it wrote so far is removed.`
      : `Delete snapshot "${s.snapshot}" from ${repository}? Its ${s.indices?.length ?? 0} index(es) can no longer be restored from it; files other snapshots share stay.`,
    { confirmLabel: running ? 'Abort and delete' : 'Delete', danger: true },
  );
  if (!ok) return;
  const out = $('#snaps-msg');
  set(out, msg('info', `Deleting ${s.snapshot}…`));
  const { deleted, error } = await state.session.deleteSnapshots(repository, [s.snapshot]);
  if (error) {
    fail(out, error, `Could not delete ${s.snapshot}`);
    return;
  }
  await startSnapshots();
  set(out, msg('ok', `Snapshot ${deleted.join(', ')} deleted.`));
}

function showDetails(s) {
  const box = $('#snap-details');
  const v = state.session.compatibility(s);
  const repo = state.snaps.query?.repository;
  const perIndex = el('div.per-index-check');
  set(
    box,
    el(
      'div.panel.details',
      { tabindex: '-1' },
      el('h2', 'Snapshot ', el('span.mono', s.snapshot), ' ', stateBadge(s.state)),
      el(
        'div.cards',
        el('div.card', el('div.label', 'Taken by'), el('div.value', s.version ?? '–')),
        el('div.card', el('div.label', 'For this cluster'), el('div.value', verdictBadge(v)), el('p.muted', v.reason ?? '')),
        el('div.card', el('div.label', 'Started'), el('div.value', when(s.start_time)), el('p.muted', `duration ${((s.duration_in_millis ?? 0) / 1000).toFixed(1)} s`)),
        el('div.card', el('div.label', 'Shards'), el('div.value', s.shards ? `${s.shards.successful}/${s.shards.total}` : '–'), el('p.muted', s.shards?.failed ? `${s.shards.failed} failed` : 'none failed')),
      ),
      s.reason ? msg('bad', `Reason: ${s.reason}`) : null,
      el('h3', `Indices (${s.indices?.length ?? 0})`),
      el('ul.list.indices', (s.indices ?? []).map((i) => el('li.mono', i))),
      el('h3', `Data streams (${s.data_streams?.length ?? 0})`),
      s.data_streams?.length ? el('ul.list.data-streams', s.data_streams.map((d) => el('li.mono', d))) : el('p.muted', 'none'),
      s.feature_states?.length ? [el('h3', 'Feature states'), el('ul.list', s.feature_states.map((f) => el('li', el('span.mono', f.feature_name), ` (${f.indices.join(', ')})`)))] : null,
      s.failures?.length ? [el('h3', 'Failures'), el('ul.list', s.failures.map((f) => el('li', `${f.index ?? ''}[${f.shard_id ?? ''}] ${f.reason ?? JSON.stringify(f)}`)))] : null,
      el(
        'div.actions',
        el('button.btn', { type: 'button', onclick: () => checkIndices(repo, s.snapshot, perIndex) }, 'Check each index'),
        el('button.btn.primary', { type: 'button', onclick: () => restoreFrom(repo, s.snapshot) }, 'Restore…'),
      ),
      perIndex,
    ),
  );
  $('.details', box).focus();
}

async function checkIndices(repo, snap, out) {
  set(out, msg('info', 'Checking…'));
  try {
    const r = await state.session.check(repo, snap);
    set(
      out,
      el(
        'table.table.check-table',
        el('thead', el('tr', el('th', 'Index'), el('th', 'Data stream'), el('th', 'Verdict'), el('th', 'Why'))),
        el('tbody', r.indices.map((i) => el('tr', el('td.mono', i.index), el('td.mono', i.dataStream ?? ''), el('td', verdictBadge(i.verdict)), el('td', i.verdict.reason)))),
      ),
    );
  } catch (e) {
    fail(out, e, 'Check failed');
  }
}

// ---------------------------------------------------------------------------------------------
// Take a snapshot

let createAbort;
async function takeSnapshot(ev) {
  ev.preventDefault();
  const f = ev.target;
  const out = $('#create-progress');
  const repo = f.repository.value;
  const name = f.name.value.trim();
  const indices = f.indices.value.split(',').map((s) => s.trim()).filter(Boolean);
  const prog = progressBlock(`Snapshot ${repo}:${name}`);
  set(out, prog.node);
  const submit = $('button[type=submit]', f);
  submit.disabled = true;
  createAbort = new AbortController();
  $('#create-cancel').hidden = false;
  try {
    const r = await state.session.createSnapshot(repo, name, {
      indices,
      includeGlobalState: f.includeGlobalState.checked,
      partial: f.partial.checked,
      signal: createAbort.signal,
      onProgress: (p) => prog.update(p),
      onEvent: (e) => e.event === 'stage' && prog.stage(e.detail ?? e.stage),
    });
    const snap = r.snapshot ?? {};
    const st = snap.state ?? (r.status === 'success' ? 'SUCCESS' : r.status?.toUpperCase());
    if (r.progress) prog.update(r.progress);
    prog.finish(st === 'SUCCESS' ? 'ok' : 'bad');
    prog.stage('finished');
    out.append(
      msg(
        st === 'SUCCESS' ? 'ok' : st === 'PARTIAL' ? 'warn' : 'bad',
        el('h3.final-state', 'Snapshot ', el('span.mono', r.name), ': ', stateBadge(st)),
        el('p', `${snap.shards?.successful ?? '?'} of ${snap.shards?.total ?? '?'} shards, ${snap.indices?.length ?? 0} indices, ${((snap.duration_in_millis ?? 0) / 1000).toFixed(1)} s.`),
        r.failures?.length ? el('ul.list', r.failures.map((x) => el('li', typeof x === 'string' ? x : JSON.stringify(x)))) : null,
      ),
    );
    state.snaps.pages = [];
  } catch (e) {
    prog.finish('bad');
    prog.stage('stopped');
    const v = api.errorView(e);
    const st = v.outcome?.snapshot?.state;
    out.append(errorBox(v, { title: st ? `Snapshot ${st}` : 'Snapshot failed', extra: st ? el('p.final-state', 'Final state: ', stateBadge(st)) : null }));
  } finally {
    submit.disabled = false;
    $('#create-cancel').hidden = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Restore wizard

function setStep(n) {
  for (const li of document.querySelectorAll('#restore-steps li')) {
    const s = Number(li.dataset.step);
    li.classList.toggle('done', s < n);
    if (s === n) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  }
}

async function restoreFrom(repo, snap) {
  go('restore');
  await fillRepoSelects();
  const f = $('#restore-form');
  f.repository.value = repo;
  f.snapshot.value = snap;
  await loadRestoreContents();
}

async function loadRestoreContents() {
  const f = $('#restore-form');
  const out = $('#restore-contents');
  set('restore-plan');
  set('restore-progress');
  state.restore = { contents: null, plan: null };
  setStep(1);
  if (!f.snapshot.value.trim()) return;
  set(out, msg('info', 'Reading the snapshot…'));
  try {
    const s = await state.session.snapshot(f.repository.value, f.snapshot.value.trim());
    if (!s) {
      set(out, msg('bad', `No snapshot ${f.snapshot.value} in ${f.repository.value}.`));
      return;
    }
    state.restore.contents = s;
    const dsBacking = new Set();
    const names = (s.indices ?? []).filter((i) => !i.startsWith('.ds-') || !(s.data_streams ?? []).some((d) => i.startsWith(`.ds-${d}-`)));
    for (const i of s.indices ?? []) if (!names.includes(i)) dsBacking.add(i);
    const verdict = state.session.compatibility(s);
    set(
      out,
      el('p', 'Snapshot ', el('strong.mono', s.snapshot), ' ', stateBadge(s.state), ' ', verdictBadge(verdict), el('span.muted', ` taken by ${s.version}`)),
      el(
        'fieldset.inline',
        el('legend', 'What to restore'),
        el('label', el('input', { type: 'radio', name: 'scope', value: 'all', checked: true, onchange: scopeChanged }), ' The whole snapshot'),
        el('label', el('input', { type: 'radio', name: 'scope', value: 'some', onchange: scopeChanged }), ' Chosen indices and data streams'),
      ),
      el(
        'div.pick#restore-pick',
        { hidden: true, role: 'group', 'aria-label': 'Indices and data streams' },
        names.map((n) => el('label', el('input', { type: 'checkbox', name: 'pick', value: n, 'data-kind': 'index', onchange: updatePreview }), ' ', el('span.mono', n))),
        (s.data_streams ?? []).map((d) => el('label', el('input', { type: 'checkbox', name: 'pick', value: d, 'data-kind': 'data_stream', onchange: updatePreview }), ' ', el('span.mono', d), ' ', badge('data stream', 'info'))),
      ),
      dsBacking.size ? el('p.muted', `${dsBacking.size} data stream backing index(es) come with their data streams.`) : null,
    );
    setStep(2);
    updatePreview();
  } catch (e) {
    fail(out, e, 'Could not read the snapshot');
  }
}

function scopeChanged() {
  const some = $('#restore-form input[name=scope]:checked')?.value === 'some';
  $('#restore-pick').hidden = !some;
  updatePreview();
}

function renameFromForm(f) {
  const kind = f.rename.value;
  if (kind === 'prefix') return { prefix: f.prefix.value };
  if (kind === 'pattern') return { pattern: f.pattern.value, replacement: f.replacement.value };
  return null;
}

function selectedNames() {
  const s = state.restore.contents;
  if (!s) return [];
  const some = $('#restore-form input[name=scope]:checked')?.value === 'some';
  if (!some) return [...(s.indices ?? []).filter((i) => !i.startsWith('.') ), ...(s.data_streams ?? [])];
  return [...document.querySelectorAll('#restore-pick input:checked')].map((c) => c.value);
}

function updatePreview() {
  const f = $('#restore-form');
  $('.rename-prefix', f).hidden = f.rename.value !== 'prefix';
  $('.rename-pattern', f).hidden = f.rename.value !== 'pattern';
  const out = $('#rename-preview');
  const names = selectedNames();
  if (!state.restore.contents) return set(out);
  const { targets, error } = api.previewRename(names, renameFromForm(f));
  set(
    out,
    error ? msg('bad', error) : null,
    names.length
      ? el(
          'table.table.preview',
          el('caption.sr-only', 'Target names'),
          el('thead', el('tr', el('th', 'In the snapshot'), el('th', 'Restored as'))),
          el('tbody', names.map((n, i) => el('tr', el('td.mono', n), el('td.mono.target', { class: targets[i] !== n ? 'mono target renamed' : 'mono target' }, targets[i])))),
        )
      : el('p.muted', 'Nothing selected.'),
  );
  // The plan no longer matches the form.
  if (state.restore.plan) {
    state.restore.plan = null;
    set('restore-plan', msg('info', 'The options changed: plan again.'));
    setStep(2);
  }
}

const ACTIONS = {
  create: ['create', 'ok'],
  close_and_restore_over: ['close, then restore over', 'warn'],
  restore_over_closed: ['restore over closed index', 'info'],
  blocked: ['blocked', 'bad'],
  skip: ['skip', 'neutral'],
};

async function planRestore(ev) {
  ev.preventDefault();
  const f = ev.target;
  const out = $('#restore-plan');
  set('restore-progress');
  if (!state.restore.contents) await loadRestoreContents();
  if (!state.restore.contents) return;
  const some = $('#restore-form input[name=scope]:checked')?.value === 'some';
  const indices = some ? selectedNames() : [];
  if (some && !indices.length) {
    set(out, msg('bad', 'Choose at least one index or data stream.'));
    return;
  }
  const selection = {
    indices,
    rename: renameFromForm(f),
    closeConflicting: f.closeConflicting.checked,
    includeGlobalState: f.includeGlobalState.checked,
    includeAliases: f.includeAliases.checked,
    partial: f.partial.checked,
  };
  set(out, msg('info', 'Planning (reads the snapshot and the cluster; changes nothing)…'));
  try {
    const plan = await state.session.planRestore(f.repository.value, f.snapshot.value.trim(), selection);
    state.restore.plan = plan;
    renderPlan(plan);
    setStep(3);
  } catch (e) {
    fail(out, e, 'Could not plan the restore');
  }
}

// The form's own words for the plan's remedies.
const REMEDIES = {
  close_conflicting: 'tick “Close open indices that the restore replaces”',
  rename: 'restore under other names (“Add a prefix” or a pattern)',
  partial: 'tick “Allow partial”',
};

function renderPlan(plan) {
  const out = $('#restore-plan');
  const confirmBox = el('input', { type: 'checkbox', name: 'confirm', id: 'restore-confirm', disabled: plan.blocked });
  const go = el('button.btn.primary#restore-go', { type: 'button', disabled: true, onclick: () => executeRestore(plan) }, 'Restore now');
  confirmBox.addEventListener('change', () => (go.disabled = !confirmBox.checked || plan.blocked));
  set(
    out,
    el(
      'div.panel.plan',
      { 'data-blocked': String(plan.blocked) },
      el('h2', 'Plan: ', el('span.mono', `${plan.repository}:${plan.snapshot}`), ' ', plan.blocked ? badge('blocked', 'bad') : badge('ready', 'ok')),
      el('p', verdictBadge(plan.verdict), ' ', plan.verdict?.reason ?? ''),
      el(
        'div.table-wrap',
        el(
          'table.table.plan-items',
          el('caption.sr-only', 'Indices in the plan'),
          el('thead', el('tr', el('th', 'Index'), el('th', 'Target'), el('th', 'Verdict'), el('th', 'Action'), el('th', 'Note'))),
          el(
            'tbody',
            plan.items.map((i) => {
              const [text, tone] = ACTIONS[i.action] ?? [i.action, 'neutral'];
              return el('tr', { 'data-index': i.source }, el('td.mono', i.source, i.data_stream ? el('span.muted', ` (${i.data_stream})`) : null), el('td.mono', i.target), el('td', verdictBadge(i.verdict)), el('td', badge(text, tone)), el('td', i.note ?? ''));
            }),
          ),
        ),
      ),
      plan.data_streams?.length
        ? [el('h3', 'Data streams'), el('ul.list', plan.data_streams.map((d) => el('li', el('span.mono', d.source), ' → ', el('span.mono', d.target), d.exists_in_cluster ? [' ', badge('exists in the cluster', 'warn')] : null)))]
        : null,
      el('h3', 'Will be closed first'),
      plan.to_close?.length ? el('ul.list.to-close', plan.to_close.map((n) => el('li.mono', n))) : el('p.muted', 'nothing'),
      el('h3', 'Will be overwritten'),
      plan.overwrites?.length ? el('ul.list.overwrites', plan.overwrites.map((o) => el('li', o))) : el('p.muted', 'no global or feature state'),
      plan.warnings?.length ? [el('h3', 'Warnings'), el('ul.list', plan.warnings.map((w) => el('li', w)))] : null,
      plan.blockers?.length
        ? msg(
            'bad',
            el('h3', 'Conflicts block this restore'),
            el('ul.list.blockers', plan.blockers.map((b) => el('li', b))),
            plan.remedies?.length
              ? el('p.remedies', 'What would help (step 2): ', plan.remedies.map((r) => REMEDIES[r]).filter(Boolean).join('; or '), '.')
              : el('p.remedies', 'No restore option lifts this; restore fewer indices or another snapshot.'),
          )
        : null,
      el('details', el('summary', 'Requests that will be sent'), el('pre', [...(plan.close_requests ?? []), plan.restore_request].filter(Boolean).map((r) => `${r.method} ${r.path}${r.body ? ` ${JSON.stringify(r.body)}` : ''}`).join('\n'))),
      el('label.check.confirm', { style: 'display:flex;gap:.5em;align-items:center;margin:.8em 0' }, confirmBox, plan.blocked ? 'The plan is blocked.' : `I have read the plan: restore ${plan.targets.length} index(es)${plan.to_close?.length ? `, closing ${plan.to_close.length} first` : ''}.`),
      el('div.actions', go),
    ),
  );
}

const INDEX_STATE = { restored: 'ok', reopened: 'warn', closed: 'bad', failed: 'bad', not_restored: 'neutral', left_closed: 'bad' };

async function executeRestore(plan) {
  $('#restore-go').disabled = true;
  $('#restore-confirm').disabled = true;
  setStep(4);
  const out = $('#restore-progress');
  const prog = progressBlock(`Restore ${plan.repository}:${plan.snapshot}`);
  set(out, prog.node);
  const finalTable = (indices) =>
    el(
      'table.table.final-indices',
      el('caption', 'Final state of every index'),
      el('thead', el('tr', el('th', 'Index'), el('th', 'State'))),
      el('tbody', (indices ?? []).map((i) => el('tr', { 'data-index': i.name }, el('td.mono', i.name), el('td', badge(i.state.replace(/_/g, ' '), INDEX_STATE[i.state] ?? 'neutral'))))),
    );
  try {
    const r = await state.session.executeRestore(plan, {
      onProgress: (p) => prog.update(p),
      onEvent: (e) => {
        if (e.event === 'stage') prog.stage(e.detail ?? e.stage);
        if (e.event === 'closed') prog.stage(`closed ${e.indices.join(', ')}`);
      },
    });
    if (r.progress) prog.update(r.progress);
    prog.finish('ok');
    prog.stage(`finished: ${r.status}`);
    out.append(msg(r.status === 'completed' ? 'ok' : 'warn', el('h3.final-state', 'Restore ', badge(r.status, r.status === 'completed' ? 'ok' : 'warn')), finalTable(r.indices)));
    state.snaps.pages = [];
  } catch (e) {
    prog.finish('bad');
    prog.stage('stopped');
    const v = api.errorView(e);
    const o = v.outcome;
    const rolled = (o?.indices ?? []).filter((i) => i.state === 'reopened');
    out.append(
      errorBox(v, {
        title: 'Restore failed',
        extra: o
          ? el(
              'div.rollback',
              el('h3', 'Rollback'),
              rolled.length ? el('p', `Reopened what the plan had closed: ${rolled.map((i) => i.name).join(', ')}.`) : el('p', o.status === 'not_started' ? 'Nothing was sent; nothing to roll back.' : 'Nothing needed reopening.'),
              finalTable(o.indices),
            )
          : null,
      }),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// ECE

async function eceSnapshot(ev) {
  ev.preventDefault();
  const f = ev.target;
  const out = $('#ece-result');
  const log = el('ol.list.ece-log');
  set(out, el('div.panel', el('h3', 'ECE'), log));
  const btn = $('button[type=submit]', f);
  btn.disabled = true;
  try {
    const r = await api.eceTakeSnapshot({
      url: f.url.value,
      apiKey: f.apiKey.value.trim(),
      clusterId: f.clusterId.value.trim(),
      deploymentId: f.deploymentId.value.trim() || undefined,
      repository: f.repository.value.trim() || undefined,
      name: f.name.value.trim() || undefined,
      onStage: (stage, detail) => log.append(el('li', badge(stage, stage === 'failed' ? 'bad' : stage === 'succeeded' ? 'ok' : 'info'), ' ', detail)),
    });
    out.append(msg(r.progress === 'failed' ? 'bad' : 'ok', el('h3.ece-done', 'Snapshot ', el('span.mono', r.name), ` requested via the ${r.via}`), el('p', `ECE says: ${r.progress}`)));
  } catch (e) {
    out.append(errorBox(api.errorView(e), { title: 'ECE refused the snapshot', extra: api.isCors(e) ? el('p', 'The ECE coordinator must allow this origin (CORS) for the console to call it.') : null }));
  } finally {
    btn.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Start

function init() {
  $('#loading').remove();
  const cf = $('#connect-form');
  for (const r of cf.querySelectorAll('input[name=auth]')) r.addEventListener('change', showAuthFields);
  cf.addEventListener('submit', (ev) => {
    ev.preventDefault();
    doConnect(cf.url.value.trim(), authFromForm(cf), cf.remember.checked);
  });
  $('#disconnect').addEventListener('click', disconnect);
  $('#repos-refresh').addEventListener('click', loadRepositories);
  $('#repo-form').addEventListener('submit', addRepo);
  $('#repo-form').addEventListener('input', repoFormType);
  $('#repo-form').addEventListener('change', repoFormType);
  $('#snaps-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    startSnapshots();
  });
  $('#snaps-form').repository.addEventListener('change', startSnapshots);
  $('#snaps-next').addEventListener('click', () => showSnapshotPage(state.snaps.index + 1));
  $('#snaps-prev').addEventListener('click', () => showSnapshotPage(state.snaps.index - 1));
  $('#create-form').addEventListener('submit', takeSnapshot);
  $('#create-cancel').addEventListener('click', () => createAbort?.abort());
  const rf = $('#restore-form');
  rf.addEventListener('submit', planRestore);
  $('#restore-load').addEventListener('click', loadRestoreContents);
  rf.snapshot.addEventListener('change', loadRestoreContents);
  rf.repository.addEventListener('change', () => {
    state.restore.contents = null;
    set('restore-contents');
    updatePreview();
  });
  for (const n of ['rename', 'prefix', 'pattern', 'replacement']) for (const i of rf.querySelectorAll(`[name=${n}]`)) i.addEventListener('input', updatePreview);
  for (const n of ['closeConflicting', 'includeGlobalState', 'includeAliases', 'partial']) rf[n].addEventListener('change', updatePreview);
  $('#ece-form').addEventListener('submit', eceSnapshot);
  window.addEventListener('hashchange', route);

  // Prefill: #/connect?url=... (the demo links), then a remembered connection.
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  if (params.get('url')) cf.url.value = params.get('url');
  const saved = sessionStorage.getItem(STORE_KEY);
  route();
  if (saved) {
    try {
      const { url, auth } = JSON.parse(saved);
      cf.url.value = url;
      cf.remember.checked = true;
      const r = cf.querySelector(`input[name=auth][value=${auth?.kind ?? 'none'}]`);
      if (r) r.checked = true;
      if (auth?.kind === 'basic') {
        cf.username.value = auth.username ?? '';
        cf.password.value = auth.password ?? '';
      }
      if (auth?.kind === 'apikey') cf.apiKey.value = auth.apiKey ?? '';
      showAuthFields();
      doConnect(url, auth, true);
    } catch {
      sessionStorage.removeItem(STORE_KEY);
    }
  }
  document.body.dataset.ready = 'true';
}

init();
