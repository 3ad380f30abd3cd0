// Loaded by jest before every test file: keep the broker's logs quiet unless asked for.
process.env.POLYMQ_LOG_LEVEL ??= 'warn';
