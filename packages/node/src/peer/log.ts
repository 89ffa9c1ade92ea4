/**
 * Log lines in PostgreSQL's shape (log_line_prefix '%m [%p] '): a millisecond UTC timestamp, the
 * process id, and a severity (LOG, WARNING, ERROR, FATAL, PANIC) followed by two spaces. Engine
 * messages that carry their own severity ("FATAL:  …") keep it.
 */
export type LineSink = (line: string) => void;
export type Logger = (level: 'log' | 'warning', message: string) => void;

const SEVERITY = /^(LOG|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT):  /;

export function timestamp(d = new Date()): string {
  return `${d.toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

export function pgLogger(sink: LineSink, source?: string): Logger {
  return (level, message) => {
    for (const [i, part] of message.split('\n').entries()) {
      const body = SEVERITY.test(part) ? part : `${i === 0 ? (level === 'warning' ? 'WARNING' : 'LOG') : 'DETAIL'}:  ${part}`;
      sink(`${timestamp()} [${process.pid}] ${source ? `${source}: ` : ''}${body}`);
    }
  };
}
