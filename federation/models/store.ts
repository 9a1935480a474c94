/**
 * The node's model store: `<data>/models/<id>/<revision>/` holds a model folder exactly as
 * transformers.js lays it out, and `<data>/models/<id>/<revision>.json` its manifest. The
 * revision is a hash of the folder's content, so a revision's files never change and can be
 * cached forever. An import copies into a staging folder and renames it into place, then writes
 * the manifest (itself by rename): the manifest is the commit point, so a crash half-way leaves
 * nothing that is listed or served.
 */
import { createHash, randomUUID } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { checkModelFolder, ModelError, type ModelFile } from './check.ts';
import { checkModelId, MODEL_ID, REVISION } from './layout.ts';

export interface ModelManifest {
  id: string;
  revision: string;
  modelType: string;
  /** Where it came from: a folder path or `host/repo@revision`. */
  source: string;
  importedAt: string;
  /** Sum of the file sizes, in bytes. */
  size: number;
  files: ModelFile[];
}

export interface ImportResult {
  manifest: ModelManifest;
  /** False when this exact content was already in the store. */
  added: boolean;
  ignored: string[];
}

export function revisionOf(files: readonly ModelFile[]): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) hash.update(`${f.path}\0${f.sha256}\n`);
  return hash.digest('hex').slice(0, 32);
}

/** Where a node keeps its models inside its data folder. */
export function modelsRoot(dataDir: string): string {
  return join(dataDir, 'models');
}

export class ModelStore {
  constructor(readonly root: string) {}

  /** Every stored revision, newest import first within an id, ids in order. */
  async list(): Promise<ModelManifest[]> {
    let ids: string[];
    try {
      ids = (await readdir(this.root)).filter((id) => MODEL_ID.test(id)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const all: ModelManifest[] = [];
    for (const id of ids) {
      const manifests = await this.revisions(id);
      all.push(...manifests);
    }
    return all;
  }

  private async revisions(id: string): Promise<ModelManifest[]> {
    let names: string[];
    try {
      names = await readdir(join(this.root, id));
    } catch {
      return [];
    }
    const manifests: ModelManifest[] = [];
    for (const name of names) {
      const revision = name.endsWith('.json') ? name.slice(0, -5) : '';
      if (!REVISION.test(revision)) continue;
      manifests.push(JSON.parse(await readFile(join(this.root, id, name), 'utf8')) as ModelManifest);
    }
    return manifests.sort((a, b) => (a.importedAt > b.importedAt ? -1 : a.importedAt < b.importedAt ? 1 : 0));
  }

  /** The manifest of `id` at `revision`; `main` names the latest import. */
  async get(id: string, revision: string): Promise<ModelManifest | undefined> {
    if (!MODEL_ID.test(id)) return undefined;
    if (revision === 'main') return (await this.revisions(id))[0];
    if (!REVISION.test(revision)) return undefined;
    try {
      return JSON.parse(await readFile(join(this.root, id, `${revision}.json`), 'utf8')) as ModelManifest;
    } catch {
      return undefined;
    }
  }

  /** Where a manifest's file lies on disk. Only paths listed in the manifest are ever resolved. */
  filePath(manifest: ModelManifest, file: ModelFile): string {
    return join(this.root, manifest.id, manifest.revision, ...file.path.split('/'));
  }

  /** A folder on the same file system for downloads to land in before an import moves them. */
  async stagingFolder(): Promise<string> {
    const dir = join(this.root, '.staging', randomUUID());
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Checks `dir` and adds it as `id`. With `move`, files are renamed rather than copied (for a
   * folder from `stagingFolder()`).
   */
  async importFolder(dir: string, options: { id: string; source: string; move?: boolean }): Promise<ImportResult> {
    try {
      checkModelId(options.id);
    } catch (err) {
      throw new ModelError('bad_id', (err as Error).message);
    }
    const checked = await checkModelFolder(dir);
    const revision = revisionOf(checked.files);
    const existing = await this.get(options.id, revision);
    if (existing !== undefined) return { manifest: existing, added: false, ignored: checked.ignored };

    const target = join(this.root, options.id, revision);
    const staging = await this.stagingFolder();
    try {
      for (const file of checked.files) {
        const to = join(staging, ...file.path.split('/'));
        await mkdir(dirname(to), { recursive: true });
        const from = join(dir, ...file.path.split('/'));
        if (options.move === true) await rename(from, to);
        else await copyFile(from, to);
      }
      await mkdir(dirname(target), { recursive: true });
      await rm(target, { recursive: true, force: true }); // a folder left by a crash before its manifest
      await rename(staging, target);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }

    const manifest: ModelManifest = {
      id: options.id,
      revision,
      modelType: checked.modelType,
      source: options.source,
      importedAt: new Date().toISOString(),
      size: checked.files.reduce((sum, f) => sum + f.size, 0),
      files: checked.files,
    };
    const manifestPath = join(this.root, options.id, `${revision}.json`);
    const temporary = `${manifestPath}.${randomUUID()}.tmp`;
    await writeFile(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(temporary, manifestPath);
    return { manifest, added: true, ignored: checked.ignored };
  }
}
