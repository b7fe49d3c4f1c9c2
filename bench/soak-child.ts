// The soak's child process: bench/soak.ts starts it with serve's flags and environment, so that the
// 30 simulated days run in a process set up as `netmon serve` is. Prints the figures as JSON, one line.
import { soakInProcess } from './soak.ts';

const figures = await soakInProcess();
process.stdout.write(`${JSON.stringify(figures)}\n`);
