#!/usr/bin/env node
// `npm start`: build if needed, make sure Redis answers (starting a private one if we can),
// then run the API and one worker in the foreground. Ctrl-C stops everything cleanly.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const redisUrl = process.env.OPENAD_ASYNC_REDIS_URL ?? 'redis://127.0.0.1:6379';

function pingRedis(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    // +PONG, or -NOAUTH when a password is needed: either way a Redis answers.
    socket.once('data', (d) => done(/^(\+PONG|-NOAUTH)/.test(d.toString())));
  });
}

function onPath(cmd) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const children = [];
let redis = null;
if (!(await pingRedis(redisUrl))) {
  if (!onPath('redis-server')) {
    console.error(
      `No Redis answers at ${redisUrl} and redis-server is not installed: install it (e.g. apt-get install redis-server) or set OPENAD_ASYNC_REDIS_URL.`,
    );
    process.exit(1);
  }
  const { hostname, port } = new URL(redisUrl);
  const dataDir = join(root, '.data');
  mkdirSync(dataDir, { recursive: true });
  redis = spawn(
    'redis-server',
    [
      '--port',
      port || '6379',
      '--bind',
      hostname || '127.0.0.1',
      '--dir',
      dataDir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  for (let i = 0; i < 50 && !(await pingRedis(redisUrl)); i += 1)
    await new Promise((r) => setTimeout(r, 100));
  if (!(await pingRedis(redisUrl))) {
    console.error(`Started redis-server but it does not answer at ${redisUrl}.`);
    redis.kill();
    process.exit(1);
  }
  console.log(
    `Started a private redis-server at ${redisUrl} (data in .data/); it stops with this command.`,
  );
}

const build = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-b', 'tsconfig.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) {
  console.error('Build failed; fix the errors above (or run `npm ci` first).');
  stopRedis().then(() => process.exit(1));
}

const env = { ...process.env, OPENAD_ASYNC_REDIS_URL: redisUrl };
for (const app of ['api', 'worker']) {
  const child = spawn(process.execPath, [join(root, `apps/${app}/dist/main.js`)], {
    env,
    stdio: 'inherit',
  });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${app} exited (${signal ?? code}); stopping.`);
      stop(code ?? 1);
    }
  });
}

let stopping = false;
async function stop(exitCode = 0) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      (c) =>
        new Promise((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', resolve);
          c.kill('SIGTERM');
        }),
    ),
  );
  await stopRedis();
  process.exit(exitCode);
}

async function stopRedis() {
  if (!redis || redis.exitCode !== null) return;
  await new Promise((resolve) => {
    redis.once('exit', resolve);
    redis.kill('SIGTERM');
  });
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
