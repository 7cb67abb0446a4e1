import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { readModelManifest } from '../../shared/model-manifest.js';
import { PROJECT_ROOT } from './processes.js';

/** The model the service ships. */
export const SHIPPED_MANIFEST_PATH = join(PROJECT_ROOT, 'model', 'manifest.json');

/** A model version of a test's own: the manifest to point MODEL_MANIFEST_PATH at, and its version. */
export interface ModelCopy {
  manifestPath: string;
  version: string;
  /** Removes the copy's directory. */
  dispose: () => Promise<void>;
}

/**
 * A second model version without retraining: the shipped ONNX file with another `doc_string`, so
 * the same weights give the same answers but the file, its sha256 and so the version (the first 8
 * hex digits of the sha256, model/train/training-result.ts) differ. The manifest is the shipped one
 * with `version` and `sha256` recomputed, written beside the copy in a temporary directory.
 */
export async function copyModelAsNewVersion(docString: string): Promise<ModelCopy> {
  const manifest = readModelManifest(SHIPPED_MANIFEST_PATH);
  const shippedJson = JSON.parse(await readFile(SHIPPED_MANIFEST_PATH, 'utf8')) as Record<string, unknown>;
  const model = onnxProto.onnx.ModelProto.decode(await readFile(join(PROJECT_ROOT, 'model', manifest.file)));
  model.docString = docString;
  const bytes = onnxProto.onnx.ModelProto.encode(model).finish();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const version = sha256.slice(0, 8);
  if (version === manifest.version) throw new Error(`the copy kept the shipped version ${version}`);

  const dir = await mkdtemp(join(tmpdir(), `model-${version}-`));
  await writeFile(join(dir, manifest.file), bytes);
  const manifestPath = join(dir, 'manifest.json');
  await writeFile(manifestPath, `${JSON.stringify({ ...shippedJson, version, sha256 }, null, 2)}\n`);
  return { manifestPath, version, dispose: () => rm(dir, { recursive: true, force: true }) };
}
