import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('npm configuration: no warning on every command, and no CUDA download', () => {
  it('an npm command prints no "Unknown project config" warning', () => {
    const result = spawnSync('npm', ['pkg', 'get', 'name'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('"credit-scoring-service"');
    expect(result.stderr).not.toMatch(/Unknown (project|user|env) config/);
  });

  it('.npmrc keeps onnxruntime-node-install=skip and turns install scripts off; allowScripts denies onnxruntime-node', () => {
    const npmrc = readFileSync('.npmrc', 'utf8');
    expect(npmrc).toContain('onnxruntime-node-install=skip');
    expect(npmrc).toMatch(/^ignore-scripts=true$/m);
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { allowScripts?: Record<string, boolean> };
    expect(manifest.allowScripts?.['onnxruntime-node']).toBe(false);
  });

  it('the installed onnxruntime-node has its CPU library and none of the CUDA ones its postinstall would fetch', () => {
    const bin = 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64';
    expect(existsSync(`${bin}/onnxruntime_binding.node`)).toBe(true);
    expect(existsSync(`${bin}/libonnxruntime_providers_cuda.so`)).toBe(false);
  });
});
