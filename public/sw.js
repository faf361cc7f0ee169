// Confab's service worker (docs/PROTOCOL.md, "Web Push"): shows what the
// server pushes while no tab is in view, one notification per room (a newer
// push for the room replaces it), and opens the room at the message when
// the notification is clicked.
'use strict';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

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
