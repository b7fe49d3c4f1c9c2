// The part of web-ext's programmatic API the build and the tests call (web-ext ships no types).
declare module 'web-ext' {
  /** One finding of `lint`. */
  export interface LintMessage {
    code: string;
    message: string;
    description?: string;
    file?: string;
  }
  /** What `lint` returns with `output: 'none'`. */
  export interface LintResult {
    count: number;
    summary: { errors: number; notices: number; warnings: number };
    errors: LintMessage[];
    warnings: LintMessage[];
    notices: LintMessage[];
  }
  const webExt: {
    cmd: {
      build(options: Record<string, unknown>, extra: { shouldExitProgram: boolean }): Promise<{ extensionPath: string }>;
      lint(options: Record<string, unknown>, extra: { shouldExitProgram: boolean }): Promise<LintResult>;
    };
  };
  export default webExt;
}
