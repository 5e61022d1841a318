/**
 * The UI's places, kept in the URL fragment (`#/folders/docs/history/12`) so that reloads,
 * the back button and links work the same in a browser and in Electron, with no server
 * routes. `parseRoute` and `routeHref` are inverse; an unknown fragment is the overview.
 */

export type FolderTab = 'status' | 'history' | 'settings';

export type Route =
  | { readonly page: 'overview' }
  | { readonly page: 'devices' }
  | { readonly page: 'device-settings' }
  | { readonly page: 'folder'; readonly folderId: string; readonly tab: 'status' | 'settings' }
  | {
      readonly page: 'folder';
      readonly folderId: string;
      readonly tab: 'history';
      /** The selected version. */
      readonly version?: number;
    }
  | {
      readonly page: 'diff';
      readonly folderId: string;
      readonly path: string;
      readonly from: number;
      readonly to: number;
    };

function positiveInt(raw: string | null | undefined): number | undefined {
  if (raw === null || raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n > 0 ? n : undefined;
}

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [pathPart = '', query = ''] = raw.split('?', 2);
  const parts = pathPart.split('/').filter((p) => p !== '');
  const params = new URLSearchParams(query);
  if (parts[0] === 'devices' && parts.length === 1) return { page: 'devices' };
  if (parts[0] === 'device' && parts.length === 1) return { page: 'device-settings' };
  if (parts[0] === 'folders' && parts[1] !== undefined) {
    const folderId = decode(parts[1]);
    if (folderId === undefined) return { page: 'overview' };
    const tab = parts[2];
    if (tab === undefined || tab === 'status') return { page: 'folder', folderId, tab: 'status' };
    if (tab === 'settings') return { page: 'folder', folderId, tab: 'settings' };
    if (tab === 'history') {
      const version = positiveInt(parts[3]);
      return version === undefined
        ? { page: 'folder', folderId, tab: 'history' }
        : { page: 'folder', folderId, tab: 'history', version };
    }
    if (tab === 'diff') {
      const path = params.get('path');
      const from = positiveInt(params.get('from'));
      const to = positiveInt(params.get('to'));
      if (path !== null && path !== '' && from !== undefined && to !== undefined)
        return { page: 'diff', folderId, path, from, to };
      return { page: 'folder', folderId, tab: 'history' };
    }
  }
  return { page: 'overview' };
}

export function routeHref(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '#/';
    case 'devices':
      return '#/devices';
    case 'device-settings':
      return '#/device';
    case 'folder': {
      const base = `#/folders/${encodeURIComponent(route.folderId)}`;
      if (route.tab === 'status') return base;
      if (route.tab === 'history' && route.version !== undefined)
        return `${base}/history/${route.version}`;
      return `${base}/${route.tab}`;
    }
    case 'diff': {
      const q = new URLSearchParams({
        path: route.path,
        from: String(route.from),
        to: String(route.to),
      });
      return `#/folders/${encodeURIComponent(route.folderId)}/diff?${q.toString()}`;
    }
  }
}
