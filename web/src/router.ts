// Hash routing (#/queue, #/incidents/ID, …): the server only serves index.html at /.
import { useEffect, useState } from 'preact/hooks';

export function parseHash(h = location.hash): string[] {
  const path = h.replace(/^#\/?/, '').split('?')[0];
  return path.split('/').filter(Boolean).map(decodeURIComponent);
}

/** The current route, read from location on every render (never stale after go()). */
export function useRoute(): string[] {
  const [, setN] = useState(0);
  const seen = location.hash;
  useEffect(() => {
    const on = () => setN((n) => n + 1);
    addEventListener('hashchange', on);
    if (location.hash !== seen) on();
    return () => removeEventListener('hashchange', on);
  }, []);
  return parseHash();
}

export function go(path: string) {
  const h = path.startsWith('#') ? path : `#${path}`;
  if (location.hash === h) dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = h;
}
