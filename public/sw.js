// Confab's service worker (docs/PROTOCOL.md, "Beyond the tab"; docs/DESIGN.md,
// "Beyond the tab"). The server writes two names before this text:
// self.VERSION, the release (a hash of the files below), and self.SHELL, the
// page and the files it loads.
//
// - Offline: the shell is kept in a cache named after the release and
//   served from there, so Confab opens with no network; a new release is a
//   new worker that fetches its own shell and waits until the page reloads
//   (the page offers "Reload for the new version"), so a page never mixes
//   two releases' files. Nothing else is cached here: the API, the socket,
//   files and avatars always go to the network (the page keeps the last
//   rooms and messages itself, in IndexedDB).
// - Pushes: one notification per room (a newer push for the room replaces
//   it); a click opens the room at the message.
'use strict';

const CACHE_PREFIX = 'confab-shell-';
const CACHE = CACHE_PREFIX + self.VERSION;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      for (const path of self.SHELL) {
        const response = await fetch(path, { cache: 'reload', credentials: 'same-origin' });
        // A file of another release (a deploy under way behind a load
        // balancer): fail, and the browser tries again on the next visit.
        if (!response.ok || response.headers.get('x-confab-version') !== self.VERSION) {
          throw new Error(`${path} is not of release ${self.VERSION}`);
        }
        await cache.put(path, response);
      }
      // The first worker of this browser takes over at once; a new release
      // waits for the page to ask (see 'message').
      if (!self.registration.active) {
        await self.skipWaiting();
      }
    })()
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== CACHE) {
          await caches.delete(name);
        }
      }
      await self.clients.claim();
    })()
  );
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'update') {
    self.skipWaiting();
  }
});

// The app's one page is `/` (any query: invites, a push's message); its
// files are the shell's. Both come from the release's cache, the network
// only if the cache lost them.
self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  const page = request.mode === 'navigate' && url.pathname === '/';
  if (!page && !self.SHELL.includes(url.pathname)) {
    return;
  }
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const kept = await cache.match(page ? '/' : url.pathname);
      return kept || fetch(request);
    })()
  );
});

self.addEventListener('push', (event) => {
  let push;
  try {
    push = event.data ? event.data.json() : null;
  } catch (e) {
    push = null;
  }
  if (!push || typeof push.title !== 'string') {
    push = { title: 'Confab', body: 'New activity', url: '/', tag: 'confab' };
  }
  event.waitUntil(
    self.registration.showNotification(push.title, {
      body: push.body || undefined,
      tag: push.tag || 'confab',
      renotify: true,
      icon: '/icon-192.png',
      badge: '/icon-192.png',
      data: push,
    })
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const push = event.notification.data || {};
  const url = new URL(push.url || '/', self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const client of windows) {
        if (new URL(client.url).origin === self.location.origin) {
          client.postMessage({ type: 'open', room: push.room, seq: push.seq, id: push.id, thread: push.thread });
          return client.focus();
        }
      }
      return self.clients.openWindow(url);
    })()
  );
});
