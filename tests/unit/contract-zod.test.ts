// The contract's split by weight: of src-shared, only contract/schemas.ts imports zod, so that the
// renderer and the extension, which import the rest as values, never bundle it. (eslint.config.js
// refuses such an import too; this test reads every file, whatever the lint configuration says.)
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SHARED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src-shared');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

// Any import or re-export of zod: `import … from 'zod'`, `import type …`, `export … from 'zod/…'`, `import('zod')`.
const ZOD_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]zod(?:\/[^'"]*)?['"]/;

describe('zod in src-shared', () => {
  it('recognises the forms of an import', () => {
    for (const line of ["import { z } from 'zod';", 'import type { z } from "zod";', "export { z } from 'zod/v4';", "const m = await import('zod');", "import 'zod';"]) {
      expect([line, ZOD_IMPORT.test(line)]).toEqual([line, true]);
    }
    expect(ZOD_IMPORT.test("import { zodLike } from './zodiac.js';")).toBe(false);
  });

  it('is imported by exactly one file: contract/schemas.ts', () => {
    const importers = sourceFiles(SHARED)
      .filter((file) => ZOD_IMPORT.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(SHARED, file).split(path.sep).join('/'));
    expect(importers).toEqual(['contract/schemas.ts']);
  });
});
