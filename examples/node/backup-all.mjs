// Back up every index of a cluster, wait for the snapshot to finish, print the result.
//
//   node examples/node/backup-all.mjs URL [REPOSITORY]
//   (or ESSNAP_URL / ESSNAP_REPOSITORY; credentials in the URL, or ESSNAP_API_KEY)
//
// In your own project: `npm install essnap` and `import { connect } from 'essnap'`.
import { connect, EssnapError } from '../../bindings/web/pkg/index.js';

const url = process.argv[2] ?? process.env.ESSNAP_URL ?? 'http://localhost:9200';
const repository = process.argv[3] ?? process.env.ESSNAP_REPOSITORY ?? 'backups';

const ac = new AbortController();
process.once('SIGINT', () => ac.abort());

try {
  const client = await connect({ url, apiKey: process.env.ESSNAP_API_KEY, signal: ac.signal });
  console.log(`connected to ${client.clusterInfo.cluster_name} (${client.cluster.distribution} ${client.cluster.version})`);
  let shown = -10;
  const out = await client.createSnapshot(repository, '<backup-all-{now/s{yyyy.MM.dd-HH.mm.ss}}>', {
    indices: ['*'],
    includeGlobalState: false,
    metadata: { taken_by: 'essnap examples/node/backup-all.mjs' },
    onProgress: (p) => {
      if (p.percent - shown >= 10 || p.percent === 100) {
        shown = p.percent;
        console.log(`  ${p.percent.toFixed(1)}% (${p.shards_done}/${p.shards_total} shards)`);
      }
    },
  });
  const s = out.snapshot;
  console.log(`snapshot ${out.name}: ${out.status.toUpperCase()} — ${s?.indices.length ?? 0} indices, ${s?.shards?.successful ?? '?'}/${s?.shards?.total ?? '?'} shards`);
  for (const f of out.failures) console.log(`  failure: ${f}`);
  process.exitCode = out.status === 'success' ? 0 : 1;
} catch (e) {
  if (!(e instanceof EssnapError)) throw e;
  console.error(`error [${e.code}]: ${e.message}\n  hint: ${e.hint}`);
  process.exitCode = 2;
}
