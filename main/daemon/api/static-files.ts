/**
 * Serves the renderer's build (renderer/dist) to the browser or the Electron window: files
 * only from inside that directory (the resolved and the real path must stay inside it), with
 * their content types. Without a build, `/` explains how to make one.
 */
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isInside } from '../state-dir.js';
import { ApiHttpError, sendError } from './http.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** renderer/dist of the package this module belongs to (found by walking up to package.json). */
export function defaultRendererDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'renderer'))) {
      return path.join(dir, 'renderer', 'dist');
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve('renderer', 'dist');
    dir = parent;
  }
}

const NO_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lanfold</title></head>
<body><h1>Lanfold is running</h1>
<p>The user interface has not been built. Run <code>npm run build:renderer</code>
in the Lanfold source directory, then reload this page.</p></body></html>
`;

/**
 * The file of `root` that `pathname` names, or undefined when there is none or it would
 * lie outside `root` (through `..`, an encoded separator, or a symlink).
 */
export function resolveStatic(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const full = path.resolve(root, rel);
  if (!isInside(full, root) || full === path.resolve(root)) return undefined;
  try {
    const real = realpathSync(full);
    if (!isInside(real, realpathSync(root)) || !statSync(real).isFile()) return undefined;
    return real;
  } catch {
    return undefined;
  }
}

export function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  pathname: string,
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return sendError(
      res,
      new ApiHttpError('METHOD_NOT_ALLOWED', `${req.method ?? '?'} is not allowed here`),
    );
  }
  const file = resolveStatic(root, pathname);
  if (!file) {
    if (
      (pathname === '/' || pathname === '/index.html') &&
      !existsSync(path.join(root, 'index.html'))
    ) {
      res.statusCode = 200;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.end(req.method === 'HEAD' ? undefined : NO_BUILD_PAGE);
      return;
    }
    return sendError(res, new ApiHttpError('NOT_FOUND', `Nothing at ${pathname}`));
  }
  const size = statSync(file).size;
  res.statusCode = 200;
  res.setHeader('Content-Type', contentTypeOf(file));
  res.setHeader('Content-Length', size);
  res.setHeader('Cache-Control', 'no-cache');
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
