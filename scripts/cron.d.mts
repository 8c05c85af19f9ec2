export function parseCron(expr: string): Set<number>[]
export function nextFire(expr: string, after: number): number
export function cronsOf(path: string): Promise<string[]>
