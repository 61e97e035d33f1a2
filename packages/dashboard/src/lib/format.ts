const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 2 });
const count = new Intl.NumberFormat();

export const formatDate = (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : '—');
export const formatPercent = (fraction: number) => percent.format(fraction);
export const formatCount = (n: number) => count.format(n);

/** YYYY-MM-DD of a date, in UTC (the stats API's days). */
export const utcDay = (date: Date) => date.toISOString().slice(0, 10);
