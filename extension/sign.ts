// `npm run sign:firefox`: a Mozilla-signed .xpi for Zen and Firefox release builds, which install
// only signed add-ons. Signed "unlisted" (for this owner, not listed on addons.mozilla.org) with
// `web-ext sign`, from the API credentials in the environment (never in the repository):
//   WEB_EXT_API_KEY     the "JWT issuer" of https://addons.mozilla.org/developers/addon/api/key/
//   WEB_EXT_API_SECRET  its "JWT secret"
// The version is package.json's: AMO refuses one it has signed before, and so does this script when
// extension/dist/signed/ already holds it. The reviewer gets a source archive (git archive of the
// committed sources, so the tree must be clean) with extension/SOURCE.md saying how to build it.
// The signed file lands in extension/dist/signed/.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Build from './build.js';

const HERE = import.meta.dirname;
const ROOT = path.join(HERE, '..');
/** What the reviewer needs to rebuild the package: the extension, the shared contract it imports, the lockfile. */
export const SOURCE_PATHS = ['extension', 'src-shared', 'package.json', 'package-lock.json', 'tsconfig.base.json'];

export type SignPlan = { ok: true; args: string[] } | { ok: false; error: string };

/** What to run, or why not: pure, so that it is tested without credentials or a network. */
export function signPlan(facts: { env: NodeJS.ProcessEnv; version: string; signed: readonly string[]; dirty: readonly string[]; sourceDir: string; artifactsDir: string; sourceZip: string }): SignPlan {
  const missing = ['WEB_EXT_API_KEY', 'WEB_EXT_API_SECRET'].filter((k) => (facts.env[k] ?? '') === '');
  if (missing.length > 0) {
    return {
      ok: false,
      error: `${missing.join(' and ')} not set: create API credentials at https://addons.mozilla.org/developers/addon/api/key/ (signed in to your Mozilla account), then set WEB_EXT_API_KEY to the "JWT issuer" and WEB_EXT_API_SECRET to the "JWT secret" in this shell`,
    };
  }
  if (facts.signed.some((f) => f.includes(`-${facts.version}.xpi`) || f.includes(`-${facts.version}-`))) {
    return { ok: false, error: `version ${facts.version} is signed already (extension/dist/signed/): raise "version" in package.json first (Mozilla signs each version once)` };
  }
  if (facts.dirty.length > 0) return { ok: false, error: `the source archive is made from the last commit, and these are changed: ${facts.dirty.join(', ')}; commit them first` };
  return { ok: true, args: ['sign', '--channel', 'unlisted', '--source-dir', facts.sourceDir, '--artifacts-dir', facts.artifactsDir, '--upload-source-code', facts.sourceZip, '--no-input'] };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  // build.ts by its real name: node runs the TypeScript as it is (type stripping), with no .js beside it.
  const { buildTarget, VERSION } = (await import(pathToFileURL(path.join(HERE, 'build.ts')).href)) as typeof Build;
  const artifactsDir = path.join(HERE, 'dist', 'signed');
  const sourceDir = path.join(HERE, 'dist', 'firefox');
  const sourceZip = path.join(HERE, 'dist', `netmon-extension-source-${VERSION}.zip`);
  const dirty = execFileSync('git', ['status', '--porcelain', '--', ...SOURCE_PATHS], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  const signed = existsSync(artifactsDir) ? readdirSync(artifactsDir) : [];
  const plan = signPlan({ env: process.env, version: VERSION, signed, dirty, sourceDir, artifactsDir, sourceZip });
  if (!plan.ok) {
    process.stderr.write(`sign:firefox: ${plan.error}\n`);
    process.exit(2);
  }
  await buildTarget('firefox', sourceDir);
  mkdirSync(artifactsDir, { recursive: true });
  execFileSync('git', ['archive', '--format=zip', '-o', sourceZip, 'HEAD', '--', ...SOURCE_PATHS], { cwd: ROOT });
  process.stdout.write(`signing netmon ${VERSION} (unlisted); source for the reviewer: ${sourceZip}\n`);
  // The credentials reach web-ext through its own environment variables, never on a command line.
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'web-ext', 'bin', 'web-ext.js'), ...plan.args], { cwd: ROOT, stdio: 'inherit', env: process.env });
  process.exit(result.status ?? 1);
}
