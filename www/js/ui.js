// DOM helpers shared by the views (no package calls here: those live in api.js).

/** el('div.cls#id', {attrs}, ...children) */
export function el(spec, attrs, ...children) {
  const m = /^([a-z0-9]+)?((?:[.#][\w-]+)*)$/i.exec(spec);
  const node = document.createElement(m?.[1] || 'div');
  for (const part of (m?.[2] ?? '').match(/[.#][\w-]+/g) ?? []) {
    if (part[0] === '.') node.classList.add(part.slice(1));
    else node.id = part.slice(1);
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = undefined;
  }
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'text') node.textContent = v;
    else if (k in node && typeof v !== 'string') node[k] = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function set(target, ...children) {
  const node = typeof target === 'string' ? document.getElementById(target) : target;
  node.replaceChildren();
  append(node, children);
  return node;
}

export function badge(text, tone = 'neutral', title) {
  return el('span.badge', { class: `badge ${tone}`, title }, text);
}

export function stateBadge(state) {
  const tone = { SUCCESS: 'ok', PARTIAL: 'warn', FAILED: 'bad', IN_PROGRESS: 'info', INCOMPATIBLE: 'bad' }[state] ?? 'neutral';
  return badge(state ?? '?', tone);
}

export function verdictBadge(v) {
  const kind = v?.kind ?? 'unknown';
  const [text, tone] = {
    ok: ['restorable', 'ok'],
    ok_with_warnings: ['restorable, with warnings', 'warn'],
    incompatible: ['not restorable', 'bad'],
    unknown: ['unknown', 'neutral'],
  }[kind] ?? [kind.replace(/_/g, ' '), 'neutral'];
  return badge(text, tone, v?.reason);
}

export function healthBadge(status) {
  return badge(status ?? '?', { green: 'ok', yellow: 'warn', red: 'bad' }[status] ?? 'neutral');
}

/** An error box: essnap code, server message, hint (and status / retry advice). */
export function errorBox(view, { title = 'Error', extra } = {}) {
  return el(
    'div.msg.bad.error',
    { role: 'alert', 'data-code': view.code },
    el('h3', title, ': ', el('span.code', view.code)),
    el('p.server-message', view.message),
    el(
      'dl',
      view.hint ? [el('dt', 'Hint'), el('dd.hint', view.hint)] : null,
      view.status ? [el('dt', 'HTTP status'), el('dd', String(view.status))] : null,
      view.serverType ? [el('dt', 'Server type'), el('dd.mono', view.serverType)] : null,
      [el('dt', 'Safe to retry'), el('dd', view.retrySafe ? 'yes' : 'no — check the cluster first')],
    ),
    extra,
  );
}

export function msg(tone, ...children) {
  return el('div.msg', { class: `msg ${tone}`, role: tone === 'bad' ? 'alert' : 'status' }, ...children);
}

export function bytes(n) {
  if (n === undefined || n === null || Number.isNaN(n)) return '–';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${u[i]}`;
}

export function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** A progress block: bar + percent, bytes, shards, files. Returns {node, update(p), finish(tone)}. */
export function progressBlock(label) {
  const bar = el('div.bar', { style: 'width:0%' });
  const track = el('div.progress', { role: 'progressbar', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0' }, bar);
  const pct = el('span.pct', '0%');
  const by = el('span.bytes', 'bytes –');
  const sh = el('span.shards', 'shards –');
  const fi = el('span.files', 'files –');
  const stage = el('p.stage.muted', 'starting…');
  const perIndex = el('div.per-index');
  const node = el('div.panel.progress-panel', el('h3', label), track, el('div.progress-meta', pct, by, sh, fi), stage, perIndex);
  return {
    node,
    stage(text) {
      stage.textContent = text;
    },
    update(p) {
      const v = Math.max(0, Math.min(100, p.percent ?? 0));
      bar.style.width = `${v}%`;
      track.setAttribute('aria-valuenow', String(Math.round(v)));
      pct.textContent = `${v.toFixed(1)}%`;
      by.textContent = `${bytes(p.bytes_done)} of ${bytes(p.bytes_total)}`;
      sh.textContent = `shards ${p.shards_done ?? 0}/${p.shards_total ?? '?'}`;
      fi.textContent = `files ${p.files_done ?? 0}/${p.files_total ?? '?'}`;
      if (Array.isArray(p.indices) && p.indices.length) {
        set(
          perIndex,
          el(
            'table.table',
            el('thead', el('tr', el('th', 'Index'), el('th', 'Progress'), el('th', 'Shards'))),
            el(
              'tbody',
              p.indices.map((i) =>
                el('tr', el('td.mono', i.name), el('td', el('span.progress.mini-progress', el('span.bar', { style: `display:block;width:${i.percent ?? 0}%` })), `${(i.percent ?? 0).toFixed(0)}%`), el('td', `${i.shards_done}/${i.shards_total}`)),
              ),
            ),
          ),
        );
      }
    },
    finish(tone) {
      track.classList.add(tone === 'ok' ? 'done' : 'failed');
      if (tone === 'ok') {
        bar.style.width = '100%';
        track.setAttribute('aria-valuenow', '100');
      }
    },
  };
}

/** A modal confirmation; resolves true/false. */
export function confirmDialog(text, { confirmLabel = 'Confirm', danger = false } = {}) {
  return new Promise((resolve) => {
    const d = el(
      'dialog',
      { 'aria-label': 'Confirm' },
      el('p', text),
      el(
        'div.actions',
        el('button.btn', { type: 'button', class: `btn ${danger ? 'danger' : 'primary'}`, 'data-confirm': true, onclick: () => d.close('yes') }, confirmLabel),
        el('button.btn', { type: 'button', onclick: () => d.close('no') }, 'Cancel'),
      ),
    );
    d.addEventListener('close', () => {
      d.remove();
      resolve(d.returnValue === 'yes');
    });
    document.body.append(d);
    d.showModal();
  });
}

let toastTimer;
export function toast(text) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.remove('show'), 3000);
}
