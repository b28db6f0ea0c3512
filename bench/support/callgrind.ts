import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Instruction counts of a server process, from valgrind's callgrind: a
 * count, not a time, so it repeats from run to run whatever else the machine
 * is doing (a shared 2-core VM's req/s swing by tens of percent; its
 * hardware counters are not exposed, `perf stat -e instructions` says
 * "not supported").
 *
 * The server starts with instrumentation off (start-up runs at valgrind's
 * plain speed and counts nothing); the bench switches it on, zeroes the
 * counters, sends its requests and dumps: each dump holds exactly the
 * instructions between the zero and itself, one file per thread.
 *
 * Two sums come back. The main thread's is the capacity measure: Node
 * answers every request on that one thread, so its instructions per request
 * bound the requests per second, and they repeat to within a few percent.
 * All threads' adds V8's helpers (concurrent marking of a major GC,
 * optimizing compiles), which run beside it on the other core and arrive in
 * lumps: one window may hold a whole major GC and the next none, so that sum
 * swings by tens of percent between windows of a few hundred requests.
 * callgrind_control reaches the process through vgdb.
 */

const run = promisify(execFile);

/** The command line that runs `argv` under callgrind, dumps going to `outFile` (`.1`, `.2`, … appended). */
export function callgrindCommand(argv: readonly string[], outFile: string): string[] {
  return [
    'valgrind',
    '--tool=callgrind',
    '--quiet',
    '--instr-atstart=no',
    // V8 writes and rewrites machine code on the heap; valgrind must notice, or it runs stale translations.
    // (The default on x86-64, stated so the count means the same on other architectures.)
    '--smc-check=all-non-file',
    // One dump file per thread, so the main thread's share can be told apart.
    '--separate-threads=yes',
    `--callgrind-out-file=${outFile}`,
    ...argv,
  ];
}

/** Sends one callgrind_control command (`-i on`, `-z`, `-d`, …) to the process. */
export async function callgrindControl(pid: number, ...args: string[]): Promise<void> {
  await run('callgrind_control', [...args, String(pid)]);
}

export interface InstructionCount {
  /** Node's main thread: the event loop, the request's JavaScript and the GC pauses it takes. */
  readonly mainThread: number;
  /** Every thread of the process. */
  readonly allThreads: number;
}

/**
 * Zeroes the counters, runs `work`, dumps, and returns the instructions
 * executed meanwhile (each thread dump's `totals:` line, event `Ir`).
 */
export async function instructionsDuring(
  pid: number,
  outFile: string,
  work: () => Promise<void>,
): Promise<InstructionCount> {
  await callgrindControl(pid, '-z');
  await work();
  const before = new Set(dumps(outFile));
  await callgrindControl(pid, '-d');
  let mainThread = Number.NaN;
  let allThreads = 0;
  for (const file of dumps(outFile).filter((name) => !before.has(name))) {
    const text = readFileSync(file, 'utf8');
    const total = /^totals:\s+(\d+)/m.exec(text);
    if (total === null) throw new Error(`no totals line in ${file}`);
    allThreads += Number(total[1]);
    if (/^thread:\s+1$/m.test(text)) mainThread = Number(total[1]);
  }
  if (Number.isNaN(mainThread)) throw new Error(`callgrind wrote no dump of the main thread next to ${outFile}`);
  return { mainThread, allThreads };
}

/** The dump files written so far for `outFile` (`<outFile>.<part>-<thread>`). */
function dumps(outFile: string): string[] {
  const dir = dirname(outFile);
  const prefix = `${basename(outFile)}.`;
  return readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && /^\d+-\d+$/.test(name.slice(prefix.length)))
    .map((name) => join(dir, name));
}
