/**
 * Click capture: elements with `data-ff-event="name"` (properties from `data-ff-prop-*`), outbound links
 * and file downloads. The listener only queues an event: it never prevents or delays the click, so
 * `target=_blank`, ctrl/cmd/shift-clicks and middle clicks (`auxclick`) behave exactly as without us; a
 * navigation away flushes the queue on `pagehide`.
 */
import type { WireEvent } from '../../warehouse/wire.ts'
import { on, type Tracker } from './core.ts'
import type { Options, Props } from './types.ts'

const DOWNLOAD = /\.(pdf|zip|gz|tgz|rar|7z|dmg|exe|msi|pkg|deb|rpm|apk|iso|csv|xlsx?|docx?|pptx?|odt|ods|txt|epub|mp3|mp4|mov|avi|wav)$/i

export function clicks(t: Tracker, o: Options): void {
  const handle = (e: MouseEvent) => {
    // click: the primary button, with or without modifiers; auxclick: 1 is the middle button (2: context menu).
    if (e.button > 1) return
    const target = e.target as Element
    const named = o.clicks != false && (target.closest('[data-ff-event]') as HTMLElement | null)
    const a = target.closest('a[href]') as HTMLAnchorElement | null
    const element: WireEvent['element'] = named || a ? elementOf((named || a)!, a) : undefined
    if (named) {
      const props: Props = {}
      for (const { name, value } of Array.from(named.attributes)) if (!name.indexOf('data-ff-prop-')) props[name.slice(13)] = value
      t.track(named.dataset.ffEvent!, props, { element })
    } else if (a && /^https?:$/.test(a.protocol)) {
      if (o.outbound != false && a.host != location.host) t.track('outbound', undefined, { element })
      else if (o.downloads != false && DOWNLOAD.test(a.pathname)) t.track('download', undefined, { element })
    }
  }
  on(document, 'click', handle)
  on(document, 'auxclick', handle)
}

function elementOf(el: Element, a: HTMLAnchorElement | null): WireEvent['element'] {
  return { tag: el.tagName.toLowerCase(), text: el.textContent!.trim().slice(0, 200), href: a?.href.slice(0, 2000) }
}
