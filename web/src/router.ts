// Hash routing (#/queue, #/incidents/ID, …): the server only serves index.html at /.
import { useEffect, useState } from 'preact/hooks';

export function parseHash(h = location.hash): string[] {
  const path = h.replace(/^#\/?/, '').split('?')[0];
  return path.split('/').filter(Boolean).map(decodeURIComponent);
}

export function useRoute(): string[] {
  const [r, setR] = useState(parseHash());
  useEffect(() => {
    const on = () => setR(parseHash());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return r;
}

export function go(path: string) {
  const h = path.startsWith('#') ? path : `#${path}`;
  if (location.hash === h) dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = h;
}
