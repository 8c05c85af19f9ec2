/**
 * Click capture: elements with `data-ff-event="name"`, outbound links (event "outbound") and file downloads
 * (event "download"); the element's `data-ff-prop-*` attributes are the event's properties (links without
 * any send `{}`). The nearest such element of the click counts.
 * The listener only queues an event: it never prevents or delays the click, so `target=_blank`,
 * ctrl/cmd/shift-clicks and middle clicks (`auxclick`) behave exactly as without us; a navigation away
 * flushes the queue on `pagehide`.
 */
import { c, push, safe } from './core.ts'
import type { Props } from './types.ts'

/** The listener of click and auxclick (start.ts). */
export const click = safe((e: MouseEvent): void => {
  // click: the primary button, with or without modifiers; auxclick: 1 is the middle button (2: context menu).
  // No such element (or another button): reading its dataset throws, which safe() swallows.
  const x = (e.button < 2 && (e.target as Element).closest('[data-ff-event],a[href]')) as HTMLAnchorElement
  const named = x.dataset.ffEvent
  const props: Props = {}
  for (const { name, value } of x.attributes) if (!name.indexOf('data-ff-prop-')) props[name.slice(13)] = value
  // mailto:, tel: and javascript: links have no host. Downloads: links to files of common extensions (the
  // pattern written inline: a module constant costs its name twice). Switches: data-clicks, data-outbound, data-download.
  const type =
    named ||
    (x.host && x.host != location.host
      ? 'outbound'
      : /\.(pdf|zip|csv|txt|docx?|xlsx?|pptx?|mp[34]|dmg|exe)$/i.test(x.pathname) && 'download')
  type &&
    c![named ? 'clicks' : (type as 'outbound')] != 'off' &&
    push('event', { name: type, props, element: { tag: x.localName, text: x.textContent!.trim().slice(0, 200), href: x.href } })
})
