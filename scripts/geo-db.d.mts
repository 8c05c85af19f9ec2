export const GEO_DB_FILE: string
export const GEO_DB_OBJECT: string
export function uploadGeoDb(where?: { persistTo?: string }): Promise<void>
