import { createRequire } from 'node:module';

/** One postal code of the `zipcodes` package (8.0.0): US ZIP codes and Canadian FSAs. */
export interface PostalCode {
  zip: string;
  latitude: number;
  longitude: number;
  city: string;
  state: string;
  country: string;
}

/** Every postal code the `zipcodes` package ships (44,175 in 8.0.0), a real public dataset. */
export function postalCodes(): PostalCode[] {
  const zipcodes = createRequire(import.meta.url)('zipcodes') as { codes: Record<string, PostalCode> };
  return Object.values(zipcodes.codes);
}

const COLUMNS = ['zip', 'city', 'state', 'country', 'latitude', 'longitude'] as const;

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The codes as CSV, with a header line. */
export function postalCodesCsv(codes: readonly PostalCode[]): string {
  return [COLUMNS.join(','), ...codes.map((code) => COLUMNS.map((column) => csvField(code[column])).join(','))].join('\n') + '\n';
}

/** The codes as JSON Lines. */
export function postalCodesJsonl(codes: readonly PostalCode[]): string {
  return codes.map((code) => JSON.stringify(code)).join('\n') + '\n';
}
