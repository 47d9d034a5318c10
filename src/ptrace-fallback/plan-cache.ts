/**
 * Plans images once per path and turns them into helper job images.
 */
import { statSync } from 'node:fs';
import type { Diagnostic } from '../binary/index.js';
import type { JobImage, TraceMode } from './helper-protocol.js';
import { siteGroups } from './line-coverage.js';
import { planImage, type ImagePlan } from './image-plan.js';
import { loadStoredPlan, planKey, pruneStoredPlans, storePlan } from './plan-store.js';

/**
 * The job images of plans: path, entry, build id, the sites' addresses and, in one-shot mode,
 * their groups ({@link siteGroups}, shared by all the plans).
 */
export function jobImagesOf(plans: readonly ImagePlan[], mode: TraceMode): JobImage[] {
  const groups = mode === 'oneshot' ? siteGroups(plans) : undefined;
  return plans.map((plan, i) => ({
    path: plan.path,
    entry: plan.entry,
    ...(plan.buildId === undefined ? {} : { buildId: plan.buildId }),
    addresses: plan.sites.map((site) => site.address),
    ...(groups === undefined ? {} : { groups: groups[i]! }),
  }));
}

/**
 * `paths` without the ones that reach a file seen before (symlinks, or the hard links cargo makes
 * from `deps/name-hash` to `name`), in first-seen order: the images {@link planImages} plans.
 */
export function uniqueImagePaths(paths: readonly string[]): string[] {
  const seen = new Set<string>();
  return paths.filter((path) => {
    const identity = fileIdentity(path);
    if (seen.has(identity)) return false;
    seen.add(identity);
    return true;
  });
}

/**
 * Plans `paths` in order (with `storeDir`, reusing plans stored there for unchanged binaries and
 * pruning the others); one file reached through several paths is planned once
 * ({@link uniqueImagePaths}).
 * @returns the plans in first-seen order and their warnings.
 * @throws CovError as {@link planImage} for the first path that cannot be planned.
 */
export function planImages(
  paths: readonly string[],
  options: { readonly storeDir?: string } = {},
): {
  plans: ImagePlan[];
  warnings: Diagnostic[];
} {
  const keys = new Set<string>();
  const plans: ImagePlan[] = [];
  const warnings: Diagnostic[] = [];
  for (const path of uniqueImagePaths(paths)) {
    const key = options.storeDir === undefined ? undefined : planKey(path);
    let plan = key === undefined ? undefined : loadStoredPlan(options.storeDir!, key);
    if (plan === undefined) {
      plan = planImage(path);
      if (key !== undefined) storePlan(options.storeDir!, key, plan);
    }
    if (key !== undefined) keys.add(key);
    plans.push(plan);
    warnings.push(...plan.warnings);
  }
  if (options.storeDir !== undefined) pruneStoredPlans(options.storeDir, keys);
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
