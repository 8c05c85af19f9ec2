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
