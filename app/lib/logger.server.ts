// One-line JSON logs. Never pass secrets or tokens here.
export function log(message: string, data: Record<string, unknown> = {}): void {
  if (process.env.NODE_ENV === "test" && !process.env.DEBUG) return;
  process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), msg: message, ...data })}\n`);
}
