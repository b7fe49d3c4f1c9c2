// Checks a plan or a budget as a user typed it (CLI flags, the API, Settings) and builds the stored
// shape. Every refusal names its field, and nothing is saved unless all fields pass.
import { daysFromCivil, formatLocalDate, localDateOf, parseLocalDate } from './cycles.js';
import { CYCLE_KINDS, DIRECTIONS, GB, type BudgetTarget, type CycleKind, type CycleRule, type Direction, type FreeHours, type PlanSpec } from './types.js';

/** What a user sends for a plan: the quota in decimal GB, dates as YYYY-MM-DD, free hours as `HH-HH`. */
export interface PlanInput {
  kind: string;
  quotaGb: number;
  day?: number | undefined;
  anchor?: string | undefined;
  every?: number | undefined;
  weekday?: number | undefined;
  start?: string | undefined;
  expiry?: string | undefined;
  direction?: string | undefined;
  freeHours?: string | null | undefined;
  rollover?: boolean | undefined;
  network?: string | undefined;
}

/** What a user sends for a budget. */
export interface BudgetInput {
  app?: string | undefined;
  domain?: string | undefined;
  quotaGb: number;
  direction?: string | undefined;
}

/** One refused field. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** A plan or budget that was refused, with every reason; nothing was saved. */
export class PlanInputError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; '));
    this.name = 'PlanInputError';
  }
}

/** Most a quota may be: 1 000 000 GB (a petabyte). */
export const MAX_QUOTA_GB = 1_000_000;
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Weekday number (0 = Monday) from a number or a name (`mon`, `Monday`); null when neither. */
export function parseWeekday(value: string | number): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 6 ? value : null;
  if (/^\d+$/.test(value.trim())) return parseWeekday(Number(value.trim()));
  const i = WEEKDAYS.indexOf(value.trim().slice(0, 3).toLowerCase() as (typeof WEEKDAYS)[number]);
  return i < 0 ? null : i;
}

/** Free hours `HH-HH` (local, end exclusive; `22-06` wraps midnight). */
export function parseFreeHours(text: string): FreeHours | null {
  const match = /^(\d{1,2})(?::00)?-(\d{1,2})(?::00)?$/.exec(text.trim());
  if (match === null) return null;
  const startHour = Number(match[1]);
  const endHour = Number(match[2]);
  if (startHour > 23 || endHour > 24 || startHour === endHour) return null;
  return { startHour, endHour: endHour === 24 ? 0 : endHour };
}

function quotaBytes(issues: FieldIssue[], quotaGb: unknown): number {
  if (typeof quotaGb !== 'number' || !Number.isFinite(quotaGb) || quotaGb <= 0) {
    issues.push({ field: 'quota', message: 'must be more than 0 GB' });
    return 0;
  }
  if (quotaGb > MAX_QUOTA_GB) issues.push({ field: 'quota', message: `must be at most ${MAX_QUOTA_GB} GB` });
  return Math.round(quotaGb * GB);
}

function direction(issues: FieldIssue[], value: string | undefined): Direction {
  if (value === undefined) return 'total';
  if (!(DIRECTIONS as readonly string[]).includes(value)) issues.push({ field: 'direction', message: `must be one of ${DIRECTIONS.join(', ')}` });
  return value as Direction;
}

function date(issues: FieldIssue[], field: string, value: string | undefined, why: string): string | null {
  if (value === undefined || value === '') {
    issues.push({ field, message: why });
    return null;
  }
  if (parseLocalDate(value) === null) {
    issues.push({ field, message: `not a date (YYYY-MM-DD): ${JSON.stringify(value)}` });
    return null;
  }
  return value;
}

/**
 * Validates a plan; throws PlanInputError naming each bad field. `nowS` judges "in the future";
 * `isKnownNetwork` says whether a network id is in the store (without it only "all" passes).
 */
export function validatePlan(input: PlanInput, nowS: number, isKnownNetwork: (key: string) => boolean = () => false): PlanSpec {
  const issues: FieldIssue[] = [];
  const today = daysFromCivil(localDateOf(nowS));
  const quota = quotaBytes(issues, input.quotaGb);
  const dir = direction(issues, input.direction);
  let cycle: CycleRule | null = null;
  const kind = input.kind as CycleKind;
  if (!(CYCLE_KINDS as readonly string[]).includes(input.kind)) {
    issues.push({ field: 'kind', message: `must be one of ${CYCLE_KINDS.join(', ')}` });
  } else {
    switch (kind) {
      case 'monthly':
        if (input.day === undefined || !Number.isInteger(input.day) || input.day < 1 || input.day > 31) {
          issues.push({ field: 'day', message: 'the reset day must be a whole number from 1 to 31 (a day a month lacks resets on its last day)' });
        } else cycle = { kind, day: input.day };
        break;
      case 'every-n-days': {
        const anchor = date(issues, 'anchor', input.anchor, 'an every-N-days plan needs the date a cycle started (anchor)');
        const every = input.every;
        if (every === undefined || !Number.isInteger(every) || every < 1 || every > 366) issues.push({ field: 'every', message: 'must be a whole number of days from 1 to 366' });
        if (anchor !== null && daysFromCivil(parseLocalDate(anchor)!) > today) issues.push({ field: 'anchor', message: `is in the future (${anchor}); give the start of the current or a past cycle` });
        else if (anchor !== null && every !== undefined && Number.isInteger(every) && every >= 1 && every <= 366) cycle = { kind, anchor, n: every };
        break;
      }
      case 'weekly': {
        const weekday = input.weekday === undefined ? null : parseWeekday(input.weekday);
        if (weekday === null) issues.push({ field: 'weekday', message: 'must be 0–6 (0 is Monday) or a day name' });
        else cycle = { kind, weekday };
        break;
      }
      case 'daily':
        cycle = { kind };
        break;
      case 'one-time': {
        const start = date(issues, 'start', input.start, 'a one-time plan needs a start date');
        const expiry = date(issues, 'expiry', input.expiry, 'a one-time plan needs an expiry date');
        if (start !== null && expiry !== null && daysFromCivil(parseLocalDate(expiry)!) <= daysFromCivil(parseLocalDate(start)!)) {
          issues.push({ field: 'expiry', message: 'must be after start' });
        } else if (start !== null && expiry !== null) cycle = { kind, start, expiry };
        break;
      }
      case 'bucket': {
        const start = date(issues, 'start', input.start, 'a prepaid bucket needs a start date (the day it was bought or last topped up)');
        if (start !== null && daysFromCivil(parseLocalDate(start)!) > today) issues.push({ field: 'start', message: `is in the future (${start})` });
        else if (start !== null) cycle = { kind, start };
        break;
      }
    }
  }
  let freeHours: FreeHours | null = null;
  if (input.freeHours !== undefined && input.freeHours !== null && input.freeHours !== '') {
    freeHours = parseFreeHours(input.freeHours);
    if (freeHours === null) issues.push({ field: 'free-hours', message: 'must be local hours HH-HH, e.g. 00-06 (end not counted; 22-06 wraps midnight)' });
  }
  const network = input.network === undefined || input.network.trim() === '' ? 'all' : input.network.trim();
  if (network !== 'all' && !isKnownNetwork(network)) {
    issues.push({ field: 'network', message: `unknown network ${JSON.stringify(network)}: "all", or a network id as \`netmon report --by network --json\` lists them (\`network\`)` });
  }
  if (issues.length > 0 || cycle === null) throw new PlanInputError(issues.length > 0 ? issues : [{ field: 'kind', message: 'incomplete plan' }]);
  return { cycle, quotaBytes: quota, direction: dir, freeHours, rollover: input.rollover === true, network };
}

const DOMAIN_RE = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/** Validates a budget; throws PlanInputError naming each bad field. */
export function validateBudget(input: BudgetInput): { target: BudgetTarget; quotaBytes: number; direction: Direction } {
  const issues: FieldIssue[] = [];
  const quota = quotaBytes(issues, input.quotaGb);
  const dir = direction(issues, input.direction);
  let target: BudgetTarget | null = null;
  const app = input.app?.trim();
  const domain = input.domain?.trim().toLowerCase();
  if ((app === undefined || app === '') === (domain === undefined || domain === '')) {
    issues.push({ field: 'target', message: 'name exactly one of app or domain' });
  } else if (app !== undefined && app !== '') {
    if (app.length > 256) issues.push({ field: 'app', message: 'is at most 256 characters' });
    else target = { kind: 'app', name: app };
  } else if (domain !== undefined) {
    if (!DOMAIN_RE.test(domain) || domain.includes('/')) issues.push({ field: 'domain', message: 'must be a registrable domain such as youtube.com (no scheme, path or port)' });
    else target = { kind: 'domain', name: domain };
  }
  if (issues.length > 0 || target === null) throw new PlanInputError(issues);
  return { target, quotaBytes: quota, direction: dir };
}

/** Today's date, for messages. */
export function todayLabel(nowS: number): string {
  return formatLocalDate(localDateOf(nowS));
}
