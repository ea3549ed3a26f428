// Summarises V8 .cpuprofile files (from `--server-node-args "--cpu-prof --cpu-prof-dir=DIR"` of
// bench/server-bench.mjs) by self time: per package/file group and the top functions. Diagnosis only.
//   node bench/server-profile-top.mjs DIR [top]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const group = (url) => {
  if (!url) return '(native/idle/gc)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const s = /packages\/([^/]+)\/dist\/(.*)/.exec(url);
  if (s) return `@oxidizedvision/${s[1]} ${s[2].split('/')[0]}`;
  return url;
};
for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const p = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + dt);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const groups = new Map();
  const fns = new Map();
  for (const [id, us] of self) {
    const n = byId.get(id);
    const { functionName, url, lineNumber } = n.callFrame;
    const special = ['(idle)', '(program)', '(garbage collector)'].includes(functionName);
    const g = special ? functionName : group(url);
    groups.set(g, (groups.get(g) ?? 0) + us);
    const key = `${functionName || '(anonymous)'} ${url ? url.replace(/.*node_modules\//, '').replace(/.*packages\//, '') : ''}:${lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const busy = total - (groups.get('(idle)') ?? 0);
  console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s not idle`);
  console.log('  by group (% of non-idle time):');
  for (const [g, us] of [...groups]
    .filter(([g]) => g !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15))
    console.log(`    ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${g}`);
  console.log(`  top ${top} functions by self time (% of non-idle):`);
  for (const [f, us] of [...fns]
    .filter(([f]) => !f.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(`    ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${f}`);
}
