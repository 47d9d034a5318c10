/**
 * Plans images once per path and turns them into helper job images.
 */
import { statSync } from 'node:fs';
import type { Diagnostic } from '../binary/index.js';
import type { JobImage } from './helper-protocol.js';
import { planImage, type ImagePlan } from './image-plan.js';

/** The job image of a plan: its path, entry, build id and the sites' addresses. */
export function jobImageOf(plan: ImagePlan): JobImage {
  return {
    path: plan.path,
    entry: plan.entry,
    ...(plan.buildId === undefined ? {} : { buildId: plan.buildId }),
    addresses: plan.sites.map((site) => site.address),
  };
}

/**
 * Plans `paths` in order; one file reached through several paths (symlinks, or the hard links
 * cargo makes from `deps/name-hash` to `name`) is planned once.
 * @returns the plans in first-seen order and their warnings.
 * @throws CovError as {@link planImage} for the first path that cannot be planned.
 */
export function planImages(paths: readonly string[]): {
  plans: ImagePlan[];
  warnings: Diagnostic[];
} {
  const plans: ImagePlan[] = [];
  const seen = new Set<string>();
  const warnings: Diagnostic[] = [];
  for (const path of paths) {
    const identity = fileIdentity(path);
    if (seen.has(identity)) continue;
    seen.add(identity);
    const plan = planImage(path);
    plans.push(plan);
    warnings.push(...plan.warnings);
  }
  return { plans, warnings };
}

function fileIdentity(path: string): string {
  try {
    const stats = statSync(path, { bigint: true });
    return `${stats.dev}:${stats.ino}`;
  } catch {
    return path; // planImage reports it
  }
}
