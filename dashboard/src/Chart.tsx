/** Pageviews over time as SVG bars: no chart library needed for one series. */
export interface Point {
  t: Date
  value: number
}

export function BarChart({ points, label }: { points: Point[]; label: string }) {
  if (!points.length) return <p class="empty">No pageviews in this range yet.</p>
  const max = Math.max(...points.map((p) => p.value))
  const w = 100 / points.length
  return (
    <svg class="chart" viewBox="0 0 100 40" preserveAspectRatio="none" role="img" aria-label={label}>
      {points.map((p, i) => {
        const h = (p.value / max) * 38
        return (
          <rect key={i} x={i * w + w * 0.1} y={40 - h} width={w * 0.8} height={h}>
            <title>{`${p.t.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${p.value}`}</title>
          </rect>
        )
      })}
    </svg>
  )
}
