// The label table the service renders from inspection/labels.py (/console/labels.js, /app/labels.js).
export const LABELS: Readonly<Record<string, Readonly<Record<string, string>>>>;
export function label(kind: string, code: string | null | undefined): string;
