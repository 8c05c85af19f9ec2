/** A time series as SVG bars (no chart library needed for one series), with an optional previous period as a line. */
export interface Point {
  t: string
  value: number
}

export function BarChart({ points, previous, label, testid }: { points: Point[]; previous?: Point[]; label: string; testid?: string }) {
  if (!points.length) return <p class="empty">No pageviews in this range yet.</p>
  const max = Math.max(1, ...points.map((p) => p.value), ...(previous ?? []).map((p) => p.value))
  const w = 100 / points.length
  const line = previous?.length
    ? previous.slice(0, points.length).map((p, i) => `${(i + 0.5) * w},${40 - (p.value / max) * 38}`).join(' ')
    : null
  return (
    <svg class="chart" data-testid={testid} viewBox="0 0 100 40" preserveAspectRatio="none" role="img" aria-label={label}>
      {points.map((p, i) => {
        const h = (p.value / max) * 38
        return (
          <rect key={i} x={i * w + w * 0.1} y={40 - h} width={w * 0.8} height={h} data-value={p.value}>
            <title>{`${p.t} UTC: ${p.value}`}</title>
          </rect>
        )
      })}
      {line && <polyline class="previous" points={line} fill="none" vector-effect="non-scaling-stroke" />}
    </svg>
  )
}
