import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Instruction counts of a server process, from valgrind's callgrind: a
 * count, not a time, so it repeats from run to run whatever else the machine
 * is doing (a shared 2-core VM's req/s swing by tens of percent; its
 * hardware counters are not exposed, `perf stat -e instructions` says
 * "not supported").
 *
 * The server starts with instrumentation off (start-up runs at valgrind's
 * plain speed and counts nothing), then the bench switches it on, warms up,
 * zeroes the counters, sends its requests and dumps: each dump holds exactly
 * the instructions between the last zero or dump and itself, on every
 * thread of the process (V8's compiler and GC helpers included: they do the
 * request's work too). callgrind_control reaches the process through vgdb.
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
    `--callgrind-out-file=${outFile}`,
    ...argv,
  ];
}

/** Sends one callgrind_control command (`-i on`, `-z`, `-d`, …) to the process. */
export async function callgrindControl(pid: number, ...args: string[]): Promise<void> {
  await run('callgrind_control', [...args, String(pid)]);
}

/**
 * Zeroes the counters, runs `work`, dumps, and returns the instructions
 * executed meanwhile (the dump's `totals:` line, events `Ir`).
 */
export async function instructionsDuring(pid: number, outFile: string, work: () => Promise<void>): Promise<number> {
  await callgrindControl(pid, '-z');
  await work();
  const before = new Set(dumps(outFile));
  await callgrindControl(pid, '-d');
  const written = dumps(outFile).filter((file) => !before.has(file));
  if (written.length !== 1) throw new Error(`expected one new callgrind dump, found ${written.length}`);
  const total = /^totals:\s+(\d+)/m.exec(readFileSync(written[0], 'utf8'));
  if (total === null) throw new Error(`no totals line in ${written[0]}`);
  return Number(total[1]);
}

/** The dump files written so far for `outFile` (`<outFile>.N`). */
function dumps(outFile: string): string[] {
  const dir = join(outFile, '..');
  const prefix = `${outFile.slice(dir.length + 1)}.`;
  return readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => join(dir, name));
}
