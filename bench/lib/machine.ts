import os from 'node:os';

/** Date, CPU, memory, Node version and load average (the machine is shared): the line every result table starts with. */
export function machineLine(): string {
  const cpus = os.cpus();
  const memGiB = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${new Date().toISOString()}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'}, ${memGiB} GiB RAM, Linux ${os.release()}, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}
