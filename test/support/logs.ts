// The functions' JSON log lines (lib/core/log.ts), from serverless-offline's output or a log file.
export function logEntries(logs: string): Record<string, any>[] {
  const entries: Record<string, any>[] = [];
  for (const line of logs.split('\n')) {
    const start = line.indexOf('{"level"');
    if (start < 0) continue;
    try {
      entries.push(JSON.parse(line.slice(start)) as Record<string, any>);
    } catch {
      // Not one of the logger's lines.
    }
  }
  return entries;
}
