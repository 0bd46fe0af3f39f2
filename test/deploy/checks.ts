/**
 * Deployment checks: the Dockerfile, docker-compose.yml and every kustomization under infra/
 * against what the apps really read, serve and run. `checkDeployment` returns the problems
 * found, one line each ("<file or render>: <object>: <what is wrong>"); none means it agrees.
 */
import * as path from 'node:path';

import { Problems, readRepo } from './app-rules';
import { checkCompose, LIFECYCLE_FILE } from './compose-checks';
import { checkDockerfile } from './dockerfile-checks';
import { checkKubernetes } from './kube-checks';
import { kubectlOnPath, type Renderer } from './kustomize';
import { readIfExists } from './util';

export interface CheckOptions {
  /** A checkout: Dockerfile, docker-compose.yml, deploy/, infra/, package.json, apps/. */
  root: string;
  /** How to render kustomizations. @defaultValue 'kubectl' when on PATH, else 'builtin' */
  renderer?: Renderer;
}

export function checkDeployment({ root, renderer }: CheckOptions): string[] {
  const p = new Problems();
  const repo = readRepo(root);
  const image = checkDockerfile(p, root, repo);
  const lifecycle = readIfExists(path.join(root, LIFECYCLE_FILE));
  if (lifecycle === undefined) p.add(LIFECYCLE_FILE, 'missing');
  checkCompose(p, root, repo, image, lifecycle);
  checkKubernetes(
    p,
    root,
    repo,
    image,
    lifecycle,
    renderer ?? (kubectlOnPath() ? 'kubectl' : 'builtin'),
  );
  return p.list;
}
