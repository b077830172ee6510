// Compiled with `tsc --noEmit --strict` against pkg/index.d.ts: every export used as documented.
import {
  connect, checkCompatibility, decode, decodeSnapshotList, previewRename, connectEce, explainError, errorCatalogue, decodableApis, EssnapError, RestorePlan, Client,
  type Progress, type EssnapEvent, type RestoreOutcome, type CreateOutcome, type SnapshotPage, type Verdict, type CheckResult,
  type Repository, type Info, type ErrorCode,
} from 'essnap';

async function main(url: string): Promise<void> {
  const ac = new AbortController();
  const client: Client = await connect({ url, username: 'u', password: 'p', headers: { 'x-opaque-id': 't' }, timeoutMs: 5000, signal: ac.signal, timing: { pollIntervalMs: 500 } });
  const info: Info = await client.info();
  const v: string = info.version.number;
  const repos: Repository[] = await client.listRepositories({ signal: ac.signal });
  await client.addRepository('r', { type: 'fs', settings: { location: '/x' }, verify: false });
  const ver = await client.verifyRepository('r');
  const nodes: string[] = Object.keys(ver.nodes);
  await client.removeRepository('r');
  for await (const page of client.listSnapshots({ repository: 'r', size: 100, sort: 'name', order: 'desc' })) {
    const p: SnapshotPage = page;
    const names: string[] = p.snapshots.map((s) => s.snapshot);
    const next: string | null = p.next;
  }
  const check: CheckResult = await client.check('r', 's', { createdVersions: { a: '7.10.2' } });
  const kind: 'ok' | 'ok_with_warnings' | 'read_only_archive' | 'incompatible' = check.verdict.kind;
  const plan: RestorePlan = await client.planRestore('r', 's', { indices: ['a'], rename: { prefix: 'x-' }, closeConflicting: true });
  const text: string = plan.render();
  const blocked: boolean = plan.blocked;
  const out: RestoreOutcome = await client.executeRestore(plan, {
    onProgress: (pr: Progress) => pr.percent.toFixed(1),
    onEvent: (e: EssnapEvent) => (e.event === 'retry' ? e.attempt : 0),
    signal: ac.signal,
  });
  if (out.status === 'completed') out.indices.forEach((i) => i.name);
  const created: CreateOutcome = await client.createSnapshot('r', '<n-{now/d}>', { indices: ['*'], metadata: { a: 1 }, onProgress: (pr) => pr.shards_done });
  const n: string | null = created.name;
  client.close();
  try {
    await connect('http://localhost:9200');
  } catch (e) {
    if (e instanceof EssnapError) {
      const c: ErrorCode = e.code;
      const h: string = e.hint;
      const r: boolean = e.retrySafe;
      const s: number | undefined = e.status;
      const o = e.outcome;
    }
  }
  const verdict: Verdict = checkCompatibility({ cluster: { distribution: 'elasticsearch', version: '8.12.2' }, snapshot: { distribution: 'opensearch', version: '2.0.0' } });
  const d: unknown = decode('info', { status: 200, body: new Uint8Array(), headers: { a: 'b' } });
  const list = decodeSnapshotList({ body: '{"snapshots":[]}' });
  const firstName: string | undefined = list.snapshots[0]?.snapshot;
  const shardsTotal: number | undefined = list.snapshots[0]?.shards?.total;
  const more: number | undefined = list.remaining;
  void firstName, shardsTotal, more;
  const targets: string[] = previewRename(['logs-a'], { pattern: 'logs-(.+)', replacement: 'r-$1' });
  const ece = connectEce({ url: 'https://ece.example:12443', apiKey: 'k' });
  const taken = await ece.takeSnapshot('a1b2c3', { name: 's', deploymentId: 'd4e5f6', wait: false });
  const via: boolean = taken.viaProxy;
  void targets, via;
  const err: EssnapError = explainError({ status: 500, body: '{}' });
  const cat = errorCatalogue().map((c) => [c.code, c.hint, c.retry]);
  const apis: string[] = decodableApis();
  void [v, repos, nodes, kind, text, blocked, n, verdict, d, err, cat, apis, main];
}
