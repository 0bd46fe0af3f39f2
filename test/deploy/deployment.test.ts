import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { checkDeployment } from './checks';
import {
  canonical,
  findKustomizations,
  kubectlOnPath,
  prerenderWithKubectl,
  render,
  type Renderer,
} from './kustomize';

const REPO = path.resolve(__dirname, '../..');
const RENDERERS: Renderer[] = kubectlOnPath() ? ['kubectl', 'builtin'] : ['builtin'];

describe('the deployment files in this checkout', () => {
  test.each(RENDERERS)('pass every check (kustomize rendered with %s)', (renderer) => {
    expect(checkDeployment({ root: REPO, renderer })).toEqual([]);
  });

  test('the built-in kustomize renderer gives the objects kubectl kustomize gives', () => {
    const dirs = findKustomizations(path.join(REPO, 'infra'));
    expect(dirs.map((d) => path.relative(REPO, d))).toEqual(
      expect.arrayContaining(['infra/base', 'infra/overlays/production']),
    );
    for (const dir of dirs) {
      const builtin = render(dir, 'builtin', path.join(REPO, 'infra'));
      expect(builtin.length).toBeGreaterThan(5);
      // Where kubectl is missing the built-in renderer is all there is; here it is compared.
      if (RENDERERS.includes('kubectl')) {
        expect(canonical(builtin)).toEqual(
          canonical(render(dir, 'kubectl', path.join(REPO, 'infra'))),
        );
      }
    }
  });
});

/**
 * A copy of the deployment files in a temp dir, with the parts of the repository the checks
 * read (package.json scripts, the root build's project references, the apps' entry sources)
 * reduced to stubs, so each test breaks exactly one thing.
 */
const fixtures: string[] = [];
function makeFixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openad-deploy-'));
  fixtures.push(dir);
  for (const f of ['Dockerfile', '.dockerignore', 'docker-compose.yml', 'deploy', 'infra']) {
    fs.cpSync(path.join(REPO, f), path.join(dir, f), { recursive: true });
  }
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(dir, 'package.json'));
  fs.writeFileSync(path.join(dir, 'package-lock.json'), '{}\n');
  fs.writeFileSync(path.join(dir, '.npmrc'), '');
  fs.writeFileSync(path.join(dir, 'tsconfig.base.json'), '{}\n');
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ files: [], references: [{ path: './apps/api' }, { path: './apps/worker' }] }),
  );
  fs.mkdirSync(path.join(dir, 'packages'));
  for (const app of ['api', 'worker']) {
    fs.mkdirSync(path.join(dir, 'apps', app, 'src'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'apps', app, 'tsconfig.json'), '{}\n');
    fs.writeFileSync(path.join(dir, 'apps', app, 'src', 'main.ts'), 'export {};\n');
  }
  return dir;
}

afterAll(() => {
  for (const dir of fixtures) fs.rmSync(dir, { recursive: true, force: true });
});

type Edit = [file: string, from: string, to: string];

/** Applies an edit, failing loudly when the text to break is not there (a vacuous test). */
function apply(dir: string, [file, from, to]: Edit): void {
  const f = path.join(dir, file);
  const text = fs.readFileSync(f, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
  fs.writeFileSync(f, text.replace(from, to));
}

test('an unbroken copy has no problems (so each case below reports only what it broke)', () => {
  for (const renderer of RENDERERS)
    expect(checkDeployment({ root: makeFixture(), renderer })).toEqual([]);
});

const COMPOSE = 'docker-compose.yml';
const API = 'infra/base/api-deployment.yaml';
const WORKER = 'infra/base/worker-deployment.yaml';
const KEDA = 'infra/base/worker-scaledobject.yaml';

const broken: [title: string, edits: Edit[], expected: RegExp][] = [
  // docker-compose.yml
  [
    'compose: Redis with AOF off',
    [[COMPOSE, "- --appendonly\n      - 'yes'", "- --appendonly\n      - 'no'"]],
    /service redis: Redis runs without AOF/,
  ],
  [
    'compose: Redis evicting keys',
    [[COMPOSE, '- noeviction', '- allkeys-lru']],
    /service redis: maxmemory-policy is allkeys-lru, not noeviction/,
  ],
  [
    'compose: Redis without a data volume',
    [[COMPOSE, '    volumes:\n      - redis-data:/data\n', '']],
    /service redis: no volume at \/data/,
  ],
  [
    "compose: a typo'd env variable",
    [[COMPOSE, "OPENAD_ASYNC_RESULT_TTL_HOURS: '24'", "OPENAD_ASYNC_RESULT_TTL_HOUR: '24'"]],
    /service api: unknown env variable OPENAD_ASYNC_RESULT_TTL_HOUR: .*did you mean OPENAD_ASYNC_RESULT_TTL_HOURS/,
  ],
  [
    'compose: the S3 store without a bucket',
    [[COMPOSE, '  OPENAD_ASYNC_S3_BUCKET: openad-async-results\n', '']],
    /service worker: loadConfig rejects OPENAD_ASYNC_S3_BUCKET="": is required when OPENAD_ASYNC_RESULT_STORE=s3/,
  ],
  [
    'compose: a value loadConfig rejects',
    [[COMPOSE, "OPENAD_ASYNC_MAX_WORKERS: '4'", "OPENAD_ASYNC_MAX_WORKERS: 'four'"]],
    /service worker: loadConfig rejects OPENAD_ASYNC_MAX_WORKERS="four"/,
  ],
  [
    'compose: the API healthcheck on a route that does not exist',
    [[COMPOSE, "'/healthz').then", "'/healthcheck').then"]],
    /service api healthcheck: probe path \/healthcheck is not served by the api/,
  ],
  [
    "compose: the worker healthcheck on the API's port",
    [[COMPOSE, '+process.env.OPENAD_ASYNC_WORKER_METRICS_PORT+', '+(process.env.PORT||8080)+']],
    /service worker healthcheck: probe port 8080 is not the worker's port 9464/,
  ],
  [
    "compose: a worker left with the image's healthcheck, which probes the API port",
    [
      [
        COMPOSE,
        '    healthcheck:\n      # The worker has no API port: it answers on its metrics port.\n',
        '    x-dropped-healthcheck:\n',
      ],
    ],
    /service worker healthcheck: probe port 8080 is not the worker's port 9464/,
  ],
  [
    'compose: a worker without its metrics port',
    [[COMPOSE, "      OPENAD_ASYNC_WORKER_METRICS_PORT: '9464'\n", '']],
    /service worker: OPENAD_ASYNC_WORKER_METRICS_PORT is not set/,
  ],
  [
    'compose: a worker memory limit below MAX_MEMORY_MB + headroom',
    [[COMPOSE, 'memory: 3G', 'memory: 2G']],
    /service worker: memory limit 2048 Mi is below MAX_MEMORY_MB 2048 \+ MEMORY_HEADROOM_MB 512 \+ 256 for Node = 2816 Mi/,
  ],
  [
    'compose: a stop grace period not longer than the shutdown grace',
    [[COMPOSE, 'stop_grace_period: 45s', 'stop_grace_period: 30s']],
    /service worker: stop_grace_period \(30 s\) must be longer than OPENAD_ASYNC_SHUTDOWN_GRACE_SECONDS \(30 s\)/,
  ],
  [
    'compose: a command naming an npm script that does not exist',
    [
      [
        COMPOSE,
        "command: ['node', 'apps/worker/dist/main.js']",
        "command: ['npm', 'run', 'wroker']",
      ],
    ],
    /service worker: command runs npm script "wroker", which package.json does not define/,
  ],
  [
    'compose: a command running a file the build does not produce',
    [[COMPOSE, "'apps/api/dist/main.js'", "'apps/api/dist/server.js'"]],
    /service api: command runs apps\/api\/dist\/server.js, built from apps\/api\/src\/server.ts, which does not exist/,
  ],
  [
    'compose: apps not waiting for the bucket init to finish',
    [[COMPOSE, 'condition: service_completed_successfully', 'condition: service_started']],
    /service api: must depend on minio-init with condition service_completed_successfully/,
  ],
  [
    'compose: a bucket init that restarts forever',
    [[COMPOSE, "restart: 'no'", 'restart: unless-stopped']],
    /service api: waits for minio-init to complete, but restart: unless-stopped keeps restarting it/,
  ],
  [
    'compose: a bucket init creating another bucket',
    [[COMPOSE, '      BUCKET: openad-async-results', '      BUCKET: other-bucket']],
    /service minio-init: does not create api's bucket openad-async-results/,
  ],
  [
    'compose: API replicas publishing a host port',
    [[COMPOSE, "    expose:\n      - '8080'", "    ports:\n      - '8080:8080'"]],
    /service api: publishes host port 8080, which collides/,
  ],
  [
    'compose: API and worker on different queue prefixes',
    [
      [
        COMPOSE,
        "OPENAD_ASYNC_MAX_WORKERS: '4'",
        "OPENAD_ASYNC_MAX_WORKERS: '4'\n      OPENAD_ASYNC_QUEUE_PREFIX: other",
      ],
    ],
    /docker-compose.yml: api and worker disagree on OPENAD_ASYNC_QUEUE_PREFIX \(openad vs other\)/,
  ],
  [
    'compose: a bind mount that does not exist',
    [[COMPOSE, './deploy/minio-init.sh:', './deploy/minio-setup.sh:']],
    /service minio-init: bind mount .\/deploy\/minio-setup.sh does not exist/,
  ],
  [
    'nginx: cutting sync requests at 60 s',
    [['deploy/nginx.conf', 'proxy_read_timeout 330s;', 'proxy_read_timeout 60s;']],
    /service nginx: proxy_read_timeout 60s cuts sync requests, which wait up to OPENAD_ASYNC_SYNC_WAIT_SECONDS 300s/,
  ],
  [
    'nginx: an upstream on the wrong port',
    [['deploy/nginx.conf', 'server api:8080 resolve;', 'server api:3000 resolve;']],
    /service nginx: no upstream server api:8080/,
  ],
  // Dockerfile and .dockerignore
  [
    'Dockerfile: running as root',
    [['Dockerfile', 'USER 1000:1000', 'USER root']],
    /Dockerfile: final stage runs as root/,
  ],
  [
    'Dockerfile: another base image',
    [['Dockerfile', 'ARG NODE_IMAGE=node:20-bookworm-slim', 'ARG NODE_IMAGE=node:18-alpine']],
    /Dockerfile: stage build is FROM node:18-alpine, not the official node:20-bookworm-slim/,
  ],
  [
    'Dockerfile: shipping the build stage with its dev dependencies',
    [['Dockerfile', 'COPY --from=deps /app ./', 'COPY --from=build /app ./']],
    /Dockerfile: final stage copies --from=build \/app .\/ from the build stage: dev dependencies ship/,
  ],
  [
    'Dockerfile: no production-only install',
    [['Dockerfile', 'npm ci --omit=dev', 'npm ci']],
    /Dockerfile: no stage runs `npm ci --omit=dev`/,
  ],
  [
    'Dockerfile: a HEALTHCHECK on a route that does not exist',
    [['Dockerfile', "'/healthz').then", "'/status').then"]],
    /Dockerfile HEALTHCHECK: probe path \/status is not served by the api/,
  ],
  [
    'Dockerfile: CMD in shell form',
    [['Dockerfile', 'CMD ["node", "apps/api/dist/main.js"]', 'CMD node apps/api/dist/main.js']],
    /Dockerfile: CMD is in shell form/,
  ],
  [
    'Dockerfile: a CMD running a missing entry point',
    [
      [
        'Dockerfile',
        'CMD ["node", "apps/api/dist/main.js"]',
        'CMD ["node", "apps/api/dist/index.js"]',
      ],
    ],
    /Dockerfile CMD: command runs apps\/api\/dist\/index.js, built from apps\/api\/src\/index.ts, which does not exist/,
  ],
  [
    '.dockerignore: host node_modules in the build context',
    [['.dockerignore', '**/node_modules\n', '']],
    /\.dockerignore: does not exclude packages\/\*\/node_modules/,
  ],
  [
    'root build: an app no project reference reaches',
    [['tsconfig.json', ',{"path":"./apps/worker"}', '']],
    /service worker: command runs apps\/worker\/dist\/main.js, but `npm run build` does not build apps\/worker/,
  ],
  // Kubernetes
  [
    "k8s: a typo'd env variable in the ConfigMap",
    [
      [
        'infra/base/configmap.yaml',
        'OPENAD_ASYNC_SYNC_WAIT_SECONDS:',
        'OPENAD_ASYNC_SYNC_WAIT_SECOND:',
      ],
    ],
    /infra\/overlays\/production: Deployment\/openad-async-api container api: unknown env variable OPENAD_ASYNC_SYNC_WAIT_SECOND:/,
  ],
  [
    'k8s: the S3 store without a bucket',
    [['infra/base/configmap.yaml', '  OPENAD_ASYNC_S3_BUCKET: openad-async-results\n', '']],
    /infra\/base: Deployment\/openad-async-worker container worker: loadConfig rejects OPENAD_ASYNC_S3_BUCKET="": is required/,
  ],
  [
    'k8s: API readiness on a wrong path',
    [[API, 'path: /readyz', 'path: /ready']],
    /container api readinessProbe: probe path \/ready is not served by the api/,
  ],
  [
    'k8s: API liveness on /readyz (a Redis blip would restart every pod)',
    [[API, 'path: /healthz', 'path: /readyz']],
    /container api livenessProbe: probe path \/readyz should be \/healthz/,
  ],
  [
    'k8s: a worker probe on the wrong port',
    [[WORKER, 'port: metrics', 'port: 8080']],
    /container worker readinessProbe: probe port 8080 is not the worker's port 9464/,
  ],
  [
    'k8s: a worker memory limit below MAX_MEMORY_MB + headroom',
    [[WORKER, 'limits:\n              memory: 3Gi', 'limits:\n              memory: 2Gi']],
    /infra\/base: Deployment\/openad-async-worker container worker: memory limit 2048 Mi is below .* = 2816 Mi/,
  ],
  [
    'k8s: the overlay raising MAX_MEMORY_MB past its limit',
    [['infra/overlays/production/worker-resources.yaml', "value: '6144'", "value: '8192'"]],
    /infra\/overlays\/production: .*container worker: memory limit 7168 Mi is below MAX_MEMORY_MB 8192/,
  ],
  [
    'k8s: a worker without a model memory cap',
    [[WORKER, "value: '2048'", 'value: none']],
    /container worker: OPENAD_ASYNC_MAX_MEMORY_MB is unset under a 3072 Mi limit/,
  ],
  [
    'k8s: termination grace not longer than the shutdown grace',
    [[WORKER, 'terminationGracePeriodSeconds: 60', 'terminationGracePeriodSeconds: 30']],
    /container worker: terminationGracePeriodSeconds \(30 s\) must be longer than OPENAD_ASYNC_SHUTDOWN_GRACE_SECONDS \(30 s\)/,
  ],
  [
    'k8s: a command running a file the build does not produce',
    [[WORKER, 'apps/worker/dist/main.js', 'apps/worker/dist/mian.js']],
    /container worker: command runs apps\/worker\/dist\/mian.js, built from apps\/worker\/src\/mian.ts, which does not exist/,
  ],
  [
    'k8s: a worker without its metrics port',
    [
      [
        WORKER,
        "            - name: OPENAD_ASYNC_WORKER_METRICS_PORT\n              value: '9464'\n",
        '',
      ],
    ],
    /container worker: OPENAD_ASYNC_WORKER_METRICS_PORT is not set/,
  ],
  [
    'k8s: a Secret key the pods read but the Secret lacks',
    [
      [
        'infra/base/secret.example.yaml',
        '  OPENAD_ASYNC_REDIS_URL: redis',
        '  REDIS_URL_OLD: redis',
      ],
    ],
    /container worker: env OPENAD_ASYNC_REDIS_URL: Secret openad-async-secrets has no key OPENAD_ASYNC_REDIS_URL/,
  ],
  [
    'k8s: a ConfigMap that is not there',
    [[API, 'name: openad-async-config', 'name: openad-async-conf']],
    /container api: ConfigMap openad-async-conf is neither rendered nor in an \*.example.yaml/,
  ],
  [
    'k8s: no resource requests',
    [[API, '            requests:\n              cpu: 250m\n              memory: 256Mi\n', '']],
    /container api: has no resources.requests.cpu/,
  ],
  [
    'k8s: a Service not reaching the API port',
    [['infra/base/api-service.yaml', 'targetPort: http', 'targetPort: 9090']],
    /Service\/openad-async-api: targetPort 9090 is not the API's PORT 8080/,
  ],
  [
    'k8s: a PodDisruptionBudget that blocks every drain',
    [['infra/base/api-pdb.yaml', 'minAvailable: 1', 'minAvailable: 2']],
    /infra\/base: PodDisruptionBudget\/openad-async-api: minAvailable 2 >= the minimum of 2 replica\(s\)/,
  ],
  [
    'k8s: a worker without a PodDisruptionBudget',
    [['infra/base/kustomization.yaml', '  - worker-pdb.yaml\n', '']],
    /Deployment\/openad-async-worker: no PodDisruptionBudget selects its pods/,
  ],
  [
    'k8s: the HPA on the workers instead of the API',
    [
      [
        'infra/base/api-hpa.yaml',
        '    name: openad-async-api\n',
        '    name: openad-async-worker\n',
      ],
    ],
    /Deployment\/openad-async-worker: a HorizontalPodAutoscaler fights the KEDA ScaledObject/,
  ],
  [
    'KEDA: a Redis list trigger (misses prioritized jobs)',
    [[KEDA, '    - type: prometheus', '    - type: redis']],
    /ScaledObject\/openad-async-worker: trigger type redis: .*misses prioritized jobs/,
  ],
  [
    'KEDA: a query on another metric',
    [
      [
        KEDA,
        'sum(max by (queue, priority) (openad_async_queue_depth))',
        'sum(bullmq_waiting_jobs)',
      ],
    ],
    /ScaledObject\/openad-async-worker: prometheus trigger query "sum\(bullmq_waiting_jobs\)" is not on openad_async_queue_depth/,
  ],
  [
    'KEDA: scaling a Deployment that does not exist',
    [
      [
        KEDA,
        'scaleTargetRef:\n    name: openad-async-worker',
        'scaleTargetRef:\n    name: openad-async-workers',
      ],
    ],
    /Deployment\/openad-async-worker: needs exactly one KEDA ScaledObject \(has 0\)/,
  ],
  [
    'k8s: a kustomization listing a missing file',
    [['infra/base/kustomization.yaml', '  - worker-pdb.yaml', '  - worker-pdbs.yaml']],
    /infra\/base: .*(kustomize failed|ENOENT).*worker-pdbs.yaml/,
  ],
  // The S3 lifecycle rule, shared by compose and operators
  [
    'lifecycle: expiring later than ceil(TTL / 24) days',
    [['infra/s3-lifecycle.json', '"Days": 1', '"Days": 7']],
    /infra\/s3-lifecycle.json: the "results\/" rule must be Enabled and expire after 1 day\(s\)/,
  ],
  [
    'lifecycle: a rule on another prefix',
    [['infra/s3-lifecycle.json', '"Prefix": "results/"', '"Prefix": "result/"']],
    /infra\/s3-lifecycle.json has no rule for the result prefix "results\/"/,
  ],
];

describe('each check fails on a copy broken on purpose', () => {
  // All copies are made first so kubectl can render them a few at a time.
  const copies = new Map<string, string>();
  beforeAll(async () => {
    for (const [title, edits] of broken) {
      const dir = makeFixture();
      for (const edit of edits) apply(dir, edit);
      copies.set(title, dir);
    }
    if (RENDERERS.includes('kubectl')) {
      await prerenderWithKubectl([...copies.values()].map((d) => path.join(d, 'infra')));
    }
  });

  test.each(broken)('%s', (title, _edits, expected) => {
    const dir = copies.get(title) as string;
    for (const renderer of RENDERERS) {
      expect(checkDeployment({ root: dir, renderer })).toEqual(
        expect.arrayContaining([expect.stringMatching(expected)]),
      );
    }
  });
});
