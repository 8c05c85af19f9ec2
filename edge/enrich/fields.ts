import type { EventRow } from '../../warehouse/schema.ts'
import type { WireEvent } from '../../warehouse/wire.ts'

/**
 * The columns an event carries itself, as sent: name, user, title, props and the typed commerce fields
 * read from them, the clicked element, engagement, screen and language. (The traffic generator's backfill
 * builds its rows with it too.)
 */
export function eventFields(e: WireEvent) {
  const props = e.props ?? null
  const str = (k: string) => (typeof props?.[k] === 'string' ? (props[k] as string) : null)
  return {
    name: e.name ?? null,
    user_id: e.userId ?? null,
    title: e.title ?? null,
    props,
    product_id: str('product_id'),
    category: str('category'),
    revenue: typeof props?.revenue === 'number' ? props.revenue : null,
    currency: str('currency'),
    element_tag: e.element?.tag ?? null,
    element_text: e.element?.text ?? null,
    element_href: e.element?.href ?? null,
    engaged_ms: e.engagedMs ?? null,
    scroll_depth: e.scrollDepth ?? null,
    screen: e.screen ?? null,
    language: e.language ?? null,
  } satisfies Partial<EventRow>
}

/**
 * The visitor's language from the request's `Accept-Language` header, for browser events that carry none
 * (the tracker leaves it to this header: every visitor downloads fewer bytes). The first language tag in
 * its canonical case, as `navigator.language` gives it: `en-us,en;q=0.9` -> `en-US`. Null when the header
 * is absent, `*`, malformed, or longer than the wire allows (35 characters).
 * @example languageOf('de-de,de;q=0.9,en;q=0.8') // 'de-DE'
 */
export function languageOf(acceptLanguage: string | null | undefined): string | null {
  const tag = acceptLanguage?.split(',')[0]?.split(';')[0]?.trim()
  try {
    const canonical = tag ? Intl.getCanonicalLocales(tag)[0] : undefined // throws on "*" and malformed tags
    return canonical && canonical.length <= 35 ? canonical : null
  } catch {
    return null
  }
}
