/**
 * Where the installed package lives and which version it is. Paths are resolved from this module's
 * own location (not the working directory), so `vernacular serve` finds the built web app whether
 * it runs from source under vitest (federation/) or compiled (dist/server/federation/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'vernacular';

interface PackageJson {
  name?: string;
  version?: string;
}

function readPackageJson(dir: string): PackageJson | null {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
}

/** The folder holding this project's package.json, found by walking up from `from`. */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (readPackageJson(dir)?.name === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the ${PACKAGE_NAME} package.json above ${from}`);
    dir = parent;
  }
}

export function packageVersion(root: string = packageRoot()): string {
  return readPackageJson(root)?.version ?? '0.0.0';
}

/** Where `npm run build:web` puts the PWA. */
export function defaultWebRoot(root: string = packageRoot()): string {
  return join(root, 'dist', 'web');
}
