// `npm run bench`: runs every benchmark and prints one table (and bench/results/latest.json).
// BENCH_IDLE_S sets the idle-serve measurement (default 600 s, as the engine issue asks).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO, benchIdle, benchIngest, benchNettopParse, benchYear, type Figure } from './engine.ts';
import { benchRenderer, rendererFigures } from './renderer.ts';
import { benchCapture } from './capture.ts';
import { benchSoak } from './soak.ts';
import { benchPlans } from './plans.ts';
import { benchPageCache } from './cache.ts';

const only = process.argv.slice(2);
const wanted = (name: string): boolean => only.length === 0 || only.includes(name);
const figures: Figure[] = [];
const section = async (name: string, run: () => Figure[] | Promise<Figure[]>): Promise<void> => {
  if (!wanted(name)) return;
  process.stderr.write(`bench: ${name}…\n`);
  figures.push(...(await run()));
};

await section('nettop', benchNettopParse);
await section('ingest', benchIngest);
await section('year', benchYear);
await section('plans', benchPlans);
await section('cache', () => benchPageCache());
await section('http', async () => {
  // bench/http.js is plain JavaScript; its result is read through this shape.
  const mod = (await import('./http.js')) as unknown as {
    runHttpBench: (o: { log: (line: string) => void }) => Promise<{ queries: { query: string; p95: number }[]; extension: { requestsPerSecond: number } }>;
  };
  const result = await mod.runHttpBench({ log: (line) => process.stderr.write(`  ${line}\n`) });
  return [
    ...result.queries.map((q): Figure => ({ name: `API p95 ${q.query.replace('/api/v1/', '')}`, value: +q.p95.toFixed(2), unit: 'ms', goal: '≤ 50 ms' })),
    { name: 'extension endpoint', value: Math.round(result.extension.requestsPerSecond), unit: 'requests/s', note: '8 concurrent clients, rate limit opened for the bench' },
  ];
});
await section('renderer', async () => rendererFigures(await benchRenderer({ log: (line: string) => process.stderr.write(`  ${line}\n`) })));
await section('capture', () => benchCapture());
await section('idle', () => benchIdle(Number(process.env['BENCH_IDLE_S'] ?? 600)));
// Only when asked for by name (`npm run bench -- soak`): BENCH_SOAK_DAYS (default 30).
if (only.includes('soak')) await section('soak', () => benchSoak());

const width = Math.max(...figures.map((f) => f.name.length));
for (const f of figures) {
  console.log(`${f.name.padEnd(width)}  ${String(f.value).padStart(12)} ${f.unit}${f.goal ? `  (goal ${f.goal})` : ''}${f.note ? `  — ${f.note}` : ''}`);
}
mkdirSync(path.join(REPO, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(REPO, 'bench', 'results', 'latest.json'), JSON.stringify({ at: new Date().toISOString(), figures }, null, 2));
