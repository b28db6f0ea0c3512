import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeFlagsOf, startFlags } from '../support/node-flags';

const ROOT = join(__dirname, '..', '..');

/** Every command docs/DEPLOY.md gives to start the app: shell lines, systemd's ExecStart, the Dockerfile's CMD. */
function deployCommands(): string[] {
  const text = readFileSync(join(ROOT, 'docs', 'DEPLOY.md'), 'utf8');
  const lines = [...text.matchAll(/^(?:NODE_ENV=\S+ |ExecStart=\/usr\/bin\/)node .*$/gm)].map((match) => match[0]);
  const cmds = [...text.matchAll(/^CMD (\[.*\])$/gm)].map((match) => (JSON.parse(match[1]) as string[]).join(' '));
  return [...lines, ...cmds];
}

describe('how Portico is started', () => {
  const flags = startFlags();

  it('gives Node a young generation as large as Node 24 picks on its own (docs/DEPLOY.md, Node flags)', () => {
    expect(flags).toContain('--max-semi-space-size=64');
  });

  it('passes the same Node flags in start:prod as in start', () => {
    expect(startFlags(ROOT, 'start:prod')).toEqual(flags);
  });

  it('passes the same Node flags in every command docs/DEPLOY.md gives', () => {
    const commands = deployCommands();
    // The plain shell command, the systemd unit and the Dockerfile.
    expect(commands).toHaveLength(3);
    for (const command of commands) expect({ command, flags: nodeFlagsOf(command) }).toEqual({ command, flags });
  });

  it('uses flags this Node accepts', () => {
    const run = spawnSync(process.execPath, [...flags, '-e', '0'], { encoding: 'utf8' });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
