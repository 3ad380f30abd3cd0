import pino from 'pino';

/** The one structured logger of the broker. Level from POLYMQ_LOG_LEVEL (default info; tests use warn). */
export type Logger = pino.Logger;

let root: Logger = pino({
  name: 'polymq',
  level: process.env.POLYMQ_LOG_LEVEL ?? 'info',
  base: { pid: process.pid },
});

export function rootLogger(): Logger {
  return root;
}

export function setRootLogger(logger: Logger): void {
  root = logger;
}

export function childLogger(component: string): Logger {
  return root.child({ component });
}
