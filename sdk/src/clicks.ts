/**
 * Click capture: elements with `data-ff-event="name"` (properties from `data-ff-prop-*`), outbound links
 * (event "outbound") and file downloads (event "download"). The nearest such element of the click counts.
 * The listener only queues an event: it never prevents or delays the click, so `target=_blank`,
 * ctrl/cmd/shift-clicks and middle clicks (`auxclick`) behave exactly as without us; a navigation away
 * flushes the queue on `pagehide`.
 */
import { on, track, type Config } from './core.ts'
import type { Props } from './types.ts'

const DOWNLOAD = /\.(pdf|zip|csv|txt|docx?|xlsx?|pptx?|mp[34]|dmg|exe)$/i

export function clicks(o: Config): void {
  const handle = (e: MouseEvent) => {
    // click: the primary button, with or without modifiers; auxclick: 1 is the middle button (2: context menu).
    const x = e.button < 2 && ((e.target as Element).closest('[data-ff-event],a[href]') as HTMLAnchorElement | null)
    if (!x) return
    const named = x.dataset.ffEvent
    const props: Props = {}
    for (const { name, value } of x.attributes) if (!name.indexOf('data-ff-prop-')) props[name.slice(13)] = value
    // mailto:, tel: and javascript: links have no host. Switches: data-clicks, data-outbound, data-download.
    const type = named || (x.host && x.host != location.host ? 'outbound' : DOWNLOAD.test(x.pathname) && 'download')
    type &&
      o[named ? 'clicks' : (type as 'outbound')] != 'off' &&
      track(type, named ? props : undefined, { element: { tag: x.localName, text: x.textContent!.trim().slice(0, 200), href: x.href } })
  }
  on('click', handle)
  on('auxclick', handle)
}
