// The console against a sandbox cluster (sandbox/seeds/demo.json): starts the sandbox and the
// static server, prints the console URL, runs until Ctrl-C (both stop with it).
//   ESSNAP_SANDBOX=path/to/essnap-sandbox node tools/demo.mjs [--seed FILE] [--port N]
import { startServer } from './serve.mjs';
import { startSandbox, stopAll } from '../test/support/processes.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sb = await startSandbox({ seed: arg('--seed', 'demo.json') });
const web = await startServer({ port: Number(arg('--port', '0')) });
const link = `${web.url}/#/connect?url=${encodeURIComponent(sb.url)}`;
console.log(link);
console.error(`sandbox cluster (seed ${arg('--seed', 'demo.json')}) at ${sb.url}
console at ${web.url}/ — open ${link}
ECE (same sandbox): URL ${sb.url}, API key ZWNlLWRlbW8tYXBpLWtleQ==, cluster id a1b2c3, deployment d4e5f6, repository found-snapshots
Ctrl-C stops both`);
const stop = async () => {
  await web.close();
  await stopAll();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
