// Attribution: which application a process belongs to, and the rows one interval becomes.
export { appForProcess, parseCgroupScope, programOfInterpreter } from './app-for-process.js';
export type { CgroupScope, Platform } from './app-for-process.js';
export { attribute } from './app-usage.js';
export type { Attribution } from './app-usage.js';
export { APP_ALIASES, DARWIN_RULES, LINUX_RULES } from './app-rules.js';
export type { AppRule, RuleField } from './app-rules.js';
