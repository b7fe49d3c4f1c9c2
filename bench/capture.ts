// The privileged sampler's cost, side by side with nethogs on the same traffic in the same run: CPU per
// 100 Mbit/s of steady TCP and under a load of many short connections, and RSS (peak and end) of both.
// netmon serve --sampler ebpf runs in a client network namespace with its helper; nethogs -t -C on the
// client's veth; the traffic (tests/fixtures/traffic-tool.js) goes to a server namespace.
//
// What the figures hold: netmon's are the serve process and its helper (user + system time of the
// processes); the BPF programs themselves run in the kernel on the path of each packet and are charged
// to whoever sends or receives it (here the traffic tool), as nethogs' copy of each packet into libpcap's
// ring is partly charged to the kernel side of the traffic too. So both are the monitors' own processes.
//
// BENCH_CAPTURE_MBIT (default 200) and BENCH_CAPTURE_S (default 20) set the steady load, BENCH_CAPTURE_SETTLE_S
// (default 30) the quiet time after the short-connection burst before serve's RSS is read again;
// BENCH_CAPTURE_SAMPLER (default ebpf) may be `linux` to compare the unprivileged sampler.
// BENCH_CAPTURE_SERVE_FLAGS: extra Node flags for serve's node only, space-separated (e.g. `--trace-gc`, or
// `--import` of a probe that logs process.memoryUsage()), to see where its memory goes under this load.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createNetnsPair, netnsSupport, type NetnsPair } from '../tests/helpers/netns.ts';
import { nethogsSupport, startNethogs } from '../tests/helpers/nethogs.ts';
import { bpfProgramStats, processTree, watchProcessTree, type BpfStats, type TreeUsage } from '../tests/helpers/proc-usage.ts';
import { REPO, type Figure } from './engine.ts';

const NETMON = path.join(REPO, 'bin', 'netmon.js');
const HELPER = path.join(REPO, 'dist', 'helper', 'netmon-capture');
const TOOL = path.join(REPO, 'tests', 'fixtures', 'traffic-tool.js');
const BPF_STATS = '/proc/sys/kernel/bpf_stats_enabled';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Options {
  mbit: number;
  seconds: number;
  /** Quiet seconds after the short-connection burst before the last memory reading. */
  settleSeconds: number;
  sampler: string;
  log: (line: string) => void;
}

/** Why the bench cannot run here, or null. */
function skipReason(sampler: string): string | null {
  const netns = netnsSupport();
  if (!netns.ok) return netns.reason;
  const hogs = nethogsSupport();
  if (!hogs.ok) return hogs.reason;
  if (sampler === 'ebpf' && !existsSync(HELPER)) return `the capture helper is not built (${HELPER}: npm run build:helper)`;
  return null;
}

/** Runs a traffic-tool process in `ns` and resolves with its final JSON line. */
function tool(ns: string, args: string[]): { child: ChildProcess; done: Promise<Record<string, unknown>> } {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, TOOL, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const done = new Promise<Record<string, unknown>>((resolve, reject) =>
    child.once('close', () => {
      const last = out.trim().split('\n').filter((l) => l.includes('"done"')).pop();
      if (last === undefined) reject(new Error(`traffic tool ${args[0]} ended without a report: ${err}`));
      else resolve(JSON.parse(last) as Record<string, unknown>);
    }),
  );
  done.catch(() => undefined);
  return { child, done };
}

/** Waits until a traffic server prints that it listens. */
async function listening(child: ChildProcess): Promise<void> {
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('traffic server did not listen')), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('"listening"')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/** Starts netmon serve in the client namespace and resolves once it serves. */
async function startNetmon(pair: NetnsPair, dataDir: string, sampler: string): Promise<ChildProcess> {
  const flags = (process.env['BENCH_CAPTURE_SERVE_FLAGS'] ?? '').split(' ').filter((f) => f !== '');
  const serve = spawn('ip', ['netns', 'exec', pair.client, process.execPath, ...flags, NETMON, 'serve', '--port', '0', '--sampler', sampler, '--interval', '1', '--no-open', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  serve.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`netmon serve did not start: ${err}`)), 20_000);
    serve.once('exit', (code) => reject(new Error(`netmon serve exited (${code}): ${err}`)));
    serve.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (/serving http:/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return serve;
}

interface PhaseCost {
  netmon: TreeUsage;
  nethogs: TreeUsage;
  /** tcpdump writing headers to /dev/null: the floor of the packet-capture route, before any parsing. */
  tcpdump: TreeUsage | null;
  /** The helper's BPF programs over the phase: run time in the kernel and runs. */
  bpf: { runTimeNs: number; runCount: number; programs: number };
}

/** Watches netmon's tree (its BPF programs too) and nethogs over `run`. */
async function phase(netmonPid: number, nethogsPid: number, run: () => Promise<void>, tcpdumpPid: number | null = null): Promise<PhaseCost> {
  const bpfBefore: BpfStats = bpfProgramStats(processTree(netmonPid));
  const a = watchProcessTree(netmonPid);
  const b = watchProcessTree(nethogsPid);
  const c = tcpdumpPid === null ? null : watchProcessTree(tcpdumpPid);
  await run();
  const bpfAfter = bpfProgramStats(processTree(netmonPid));
  return {
    netmon: a.stop(),
    nethogs: b.stop(),
    tcpdump: c?.stop() ?? null,
    bpf: { runTimeNs: bpfAfter.runTimeNs - bpfBefore.runTimeNs, runCount: bpfAfter.runCount - bpfBefore.runCount, programs: bpfAfter.programs },
  };
}

const mb = (kb: number): number => +(kb / 1024).toFixed(1);

/** Whether tcpdump is installed (it is optional here: a figure for comparison only). */
function hasTcpdump(): boolean {
  return ['/usr/bin/tcpdump', '/usr/sbin/tcpdump'].some((p) => existsSync(p));
}

/** VmRSS of one process (KiB), 0 once it is gone. */
function vmRssKb(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The capture cost bench (root, nethogs and the helper needed; returns no figures otherwise). */
export async function benchCapture(options: Partial<Options> = {}): Promise<Figure[]> {
  const o: Options = {
    mbit: options.mbit ?? Number(process.env['BENCH_CAPTURE_MBIT'] ?? 200),
    seconds: options.seconds ?? Number(process.env['BENCH_CAPTURE_S'] ?? 20),
    settleSeconds: options.settleSeconds ?? Number(process.env['BENCH_CAPTURE_SETTLE_S'] ?? 30),
    sampler: options.sampler ?? process.env['BENCH_CAPTURE_SAMPLER'] ?? 'ebpf',
    log: options.log ?? ((line) => process.stderr.write(`  ${line}\n`)),
  };
  const reason = skipReason(o.sampler);
  if (reason !== null) {
    o.log(`capture: skipped (${reason})`);
    return [];
  }
  // The kernel counts the time its BPF programs run only while this is on (root; restored at the end).
  const statsWere = existsSync(BPF_STATS) ? readFileSync(BPF_STATS, 'utf8').trim() : null;
  if (statsWere !== null) writeFileSync(BPF_STATS, '1');
  const pair = createNetnsPair();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netmon-bench-capture-'));
  const server = tool(pair.server, ['serve', '--host', pair.serverAddress, '--port', '9000']);
  let serve: ChildProcess | null = null;
  let nethogs: ReturnType<typeof startNethogs> | null = null;
  let tcpdump: ChildProcess | null = null;
  try {
    await listening(server.child);
    nethogs = startNethogs(pair.client, pair.clientDevice);
    // The packet-capture route's floor, for choosing between it and eBPF by measurement: tcpdump taking
    // the first 128 bytes of every packet (headers, a ClientHello's start) and writing them nowhere.
    tcpdump = hasTcpdump() ? spawn('ip', ['netns', 'exec', pair.client, 'tcpdump', '-i', pair.clientDevice, '-n', '-s', '128', '-w', '/dev/null'], { stdio: 'ignore' }) : null;
    serve = await startNetmon(pair, path.join(dir, 'data'), o.sampler);
    const netmonPid = serve.pid ?? 0;
    const whole = { netmon: watchProcessTree(netmonPid), nethogs: watchProcessTree(nethogs.pid) };
    await sleep(3000);

    // Steady: four paced downloads adding up to the asked rate for the asked time.
    const bytes = Math.round((o.mbit * 1e6 * o.seconds) / 8 / 4);
    let moved = 0;
    let steadyWall = 0;
    const tcpdumpPid = tcpdump?.pid ?? null;
    const steady = await phase(netmonPid, nethogs.pid, async () => {
      const t0 = performance.now();
      const runs = Array.from({ length: 4 }, () => tool(pair.client, ['download', '--host', pair.serverAddress, '--port', '9000', '--bytes', String(bytes), '--pace-ms', String(o.seconds * 1000)]));
      for (const run of runs) moved += Number((await run.done)['bytesReceived']);
      steadyWall = (performance.now() - t0) / 1000;
    }, tcpdumpPid);
    const rateMbit = (moved * 8) / steadyWall / 1e6;
    o.log(`steady: ${(moved / 1e6).toFixed(0)} MB in ${steadyWall.toFixed(1)} s = ${rateMbit.toFixed(0)} Mbit/s; netmon ${steady.netmon.cpuPercent.toFixed(2)} %, nethogs ${steady.nethogs.cpuPercent.toFixed(2)} % of a core; netmon RSS peak ${mb(steady.netmon.peakRssKb)} MB`);
    await sleep(2000);

    // Many short connections: 8 at a time, 5 000 bytes each (about 1 700 a second here: half the steady time).
    let connections = 0;
    let shortWall = 0;
    const short = await phase(netmonPid, nethogs.pid, async () => {
      const t0 = performance.now();
      const runs = Array.from({ length: 2 }, () => tool(pair.client, ['download', '--host', pair.serverAddress, '--port', '9000', '--bytes', '5000', '--connections', String(o.seconds * 400), '--parallel', '4']));
      for (const run of runs) connections += Number((await run.done)['connections']);
      shortWall = (performance.now() - t0) / 1000;
    }, tcpdumpPid);
    const perSecond = connections / shortWall;
    o.log(`short: ${connections} connections in ${shortWall.toFixed(1)} s = ${perSecond.toFixed(0)}/s; netmon ${short.netmon.cpuPercent.toFixed(2)} %, nethogs ${short.nethogs.cpuPercent.toFixed(2)} % of a core; netmon RSS peak ${mb(short.netmon.peakRssKb)} MB`);
    // After the burst: does serve give its memory back once the load is gone (V8 shrinks its young
    // generation and compacts only on its memory reducer's later GCs)?
    const settle = await phase(netmonPid, nethogs.pid, () => sleep(o.settleSeconds * 1000));
    const serveAfter = vmRssKb(netmonPid);
    o.log(`after ${o.settleSeconds} s quiet: serve's node ${mb(serveAfter)} MB, helper ${mb((settle.netmon.peakRssByName['netmon-capture'] ?? 0))} MB; netmon ${settle.netmon.cpuPercent.toFixed(2)} %`);
    const all = { netmon: whole.netmon.stop(), nethogs: whole.nethogs.stop() };
    o.log(`netmon tree: ${all.netmon.processes.join(', ')}; nethogs tree: ${all.nethogs.processes.join(', ')}`);

    const per100 = (u: TreeUsage): number => +(u.cpuPercent / (rateMbit / 100)).toFixed(2);
    // The BPF programs run in the kernel on every packet and socket event of the machine (the other
    // namespaces' too, leaving at once): an upper bound of what netmon adds there.
    const bpfPercent = (p: PhaseCost, wall: number): number => (100 * p.bpf.runTimeNs) / 1e9 / wall;
    const nsPerRun = (p: PhaseCost): string => (p.bpf.runCount > 0 ? (p.bpf.runTimeNs / p.bpf.runCount).toFixed(0) : '—');
    const byName = (u: TreeUsage): string =>
      Object.entries(u.peakRssByName)
        .map(([name, kb]) => `${name} ${mb(kb)} MB`)
        .join(', ');
    const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(2) : '—');
    const label = `${o.sampler} sampler`;
    return [
      {
        name: `capture: netmon CPU per 100 Mbit/s`,
        value: per100(steady.netmon),
        unit: '% of one core',
        note: `${label}, serve + helper at ${rateMbit.toFixed(0)} Mbit/s steady TCP over ${steadyWall.toFixed(0)} s; nethogs ${per100(steady.nethogs)} on the same traffic (netmon/nethogs ${ratio(per100(steady.netmon), per100(steady.nethogs))})`,
      },
      { name: `capture: nethogs CPU per 100 Mbit/s`, value: per100(steady.nethogs), unit: '% of one core', note: 'nethogs -t -C on the client veth, same run' },
      {
        name: `capture: BPF programs per 100 Mbit/s`,
        value: +(bpfPercent(steady, steadyWall) / (rateMbit / 100)).toFixed(3),
        unit: '% of one core',
        note: `in the kernel, on the senders' and receivers' time: ${steady.bpf.runCount} runs of ${steady.bpf.programs} programs at ${nsPerRun(steady)} ns; short connections ${bpfPercent(short, shortWall).toFixed(2)} % (${nsPerRun(short)} ns a run). The veth's segmentation offload makes packets of up to 64 KB: with 1 500-byte packets 100 Mbit/s is ≈ 8 300 runs/s, ≈ ${((8333 * Number(nsPerRun(steady))) / 1e7).toFixed(2)} % of a core`,
      },
      {
        name: `capture: netmon CPU, short connections`,
        value: +short.netmon.cpuPercent.toFixed(2),
        unit: '% of one core',
        note: `${perSecond.toFixed(0)} connections/s of 5 000 bytes; nethogs ${short.nethogs.cpuPercent.toFixed(2)} % (ratio ${ratio(short.netmon.cpuPercent, short.nethogs.cpuPercent)})`,
      },
      {
        name: `capture: netmon RSS peak under load`,
        value: mb(all.netmon.peakRssKb),
        unit: 'MB',
        note: `serve + helper summed, sampled every 0.5 s (${byName(all.netmon)}); end ${mb(all.netmon.endRssKb)} MB; nethogs peak ${mb(all.nethogs.peakRssKb)} MB, end ${mb(all.nethogs.endRssKb)} MB (ratio ${ratio(all.netmon.peakRssKb, all.nethogs.peakRssKb)})`,
      },
      {
        name: `capture: serve RSS under steady load`,
        value: mb(steady.netmon.peakRssByName['node'] ?? 0),
        unit: 'MB',
        note: `serve's node alone (not the helper), peak over the steady phase; peak in the short-connection burst ${mb(short.netmon.peakRssByName['node'] ?? 0)} MB, ${o.settleSeconds} s after it ${mb(serveAfter)} MB`,
      },
      { name: `capture: serve RSS after the burst`, value: mb(serveAfter), unit: 'MB', note: `${o.settleSeconds} s after the short connections ended; burst peak ${mb(short.netmon.peakRssByName['node'] ?? 0)} MB` },
      {
        name: `capture: netmon CPU per 1 000 short connections/s`,
        value: +(short.netmon.cpuPercent / (perSecond / 1000)).toFixed(2),
        unit: '% of one core',
        note: `nethogs ${(short.nethogs.cpuPercent / (perSecond / 1000)).toFixed(2)}`,
      },
      ...(steady.tcpdump === null || short.tcpdump === null
        ? []
        : [
            {
              name: `capture: tcpdump CPU per 100 Mbit/s (capture only)`,
              value: per100(steady.tcpdump),
              unit: '% of one core',
              note: `tcpdump -s 128 -w /dev/null on the same veth, same run: the packet-capture route before any parsing or joining to sockets; ${(short.tcpdump.cpuPercent / (perSecond / 1000)).toFixed(2)} % per 1 000 short connections/s (netmon ${(short.netmon.cpuPercent / (perSecond / 1000)).toFixed(2)}); RSS peak ${mb(short.tcpdump.peakRssKb)} MB`,
            },
          ]),
      { name: `capture: nethogs RSS peak under load`, value: mb(all.nethogs.peakRssKb), unit: 'MB', note: `end ${mb(all.nethogs.endRssKb)} MB, VmHWM ${mb(all.nethogs.hwmKb)} MB` },
    ];
  } finally {
    if (serve !== null && serve.exitCode === null && serve.signalCode === null) {
      const exited = new Promise((resolve) => serve?.once('exit', resolve));
      serve.kill('SIGTERM');
      await exited;
    }
    await nethogs?.stop();
    if (tcpdump !== null && tcpdump.exitCode === null) {
      const exited = new Promise((resolve) => tcpdump?.once('exit', resolve));
      tcpdump.kill('SIGTERM');
      await exited;
    }
    server.child.kill('SIGTERM');
    await server.done.catch(() => undefined);
    pair.destroy();
    rmSync(dir, { recursive: true, force: true });
    if (statsWere !== null) writeFileSync(BPF_STATS, statsWere);
  }
}
