// The schema a database gets from the migrations, to the character: SQLite keeps each table's and
// index's CREATE text as written, so a migration's text must never change once released. The fixture
// is sqlite_schema of a database migrated through v7, dumped from migrations.ts as it was before the
// tiers' tables were written from one template (store/tiers.ts, at commit 4baba8e); the migrations must
// still produce exactly that.
process.env.TZ = 'Europe/Berlin';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../src-main/engine/store/index.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'store', 'schema-v7.sql');

/** sqlite_schema as text: one entry per object, by type and name, with the SQL SQLite stored. */
function schemaText(db: Database.Database): string {
  const rows = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name').all() as { type: string; name: string; tbl_name: string; sql: string | null }[];
  return rows.map((r) => `-- ${r.type} ${r.name} on ${r.tbl_name}\n${r.sql ?? '(no sql)'};\n`).join('\n');
}

describe('migrated schema', () => {
  it('through v7 is the text the migrations always wrote', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, 7), ':memory:');
    expect(schemaText(db)).toBe(readFileSync(FIXTURE, 'utf8'));
    db.close();
  });

  it('is the same whether a database starts at v7 or is migrated there one version at a time', () => {
    const fresh = new Database(':memory:');
    migrate(fresh, MIGRATIONS.slice(0, 7), ':memory:');
    const stepped = new Database(':memory:');
    for (let v = 1; v <= 7; v += 1) migrate(stepped, MIGRATIONS.slice(0, v), ':memory:');
    expect(schemaText(stepped)).toBe(schemaText(fresh));
    fresh.close();
    stepped.close();
  });
});
