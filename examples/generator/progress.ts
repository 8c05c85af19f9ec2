/** A one-line progress bar on stderr (only on a terminal) and the closing summary line. */
export class Progress {
  private last = 0
  private readonly t0 = performance.now()
  private readonly tty = process.stderr.isTTY === true

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly quiet = false,
  ) {}

  update(done: number, note = ''): void {
    if (this.quiet || !this.tty) return
    const now = performance.now()
    if (now - this.last < 100 && done < this.total) return
    this.last = now
    const ratio = this.total > 0 ? Math.min(1, done / this.total) : 0
    const width = 30
    const bar = '#'.repeat(Math.round(ratio * width)).padEnd(width, '.')
    process.stderr.write(
      `\r${this.label} [${bar}] ${(ratio * 100).toFixed(0).padStart(3)}% ${done}/${this.total} ${this.rate(done)}/s ${note}\x1b[K`,
    )
  }

  /** Seconds since the start. */
  elapsed(): number {
    return (performance.now() - this.t0) / 1000
  }

  rate(done: number): number {
    return Math.round(done / Math.max(this.elapsed(), 1e-3))
  }

  done(summary: string): void {
    if (this.quiet) return
    if (this.tty) process.stderr.write('\r\x1b[K')
    console.log(summary)
  }
}
