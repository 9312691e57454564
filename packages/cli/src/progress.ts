/** A one-line progress display on a terminal; periodic plain lines otherwise (CI logs). */
export function progress(label: string, total?: number) {
  const started = Date.now();
  const tty = Boolean(process.stderr.isTTY);
  let lastPrint = 0;
  let done = 0;
  const render = (final: boolean) => {
    const seconds = (Date.now() - started) / 1_000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const share = total ? ` / ${total.toLocaleString('en')} (${Math.floor((done / total) * 100)}%)` : '';
    const line = `${label}: ${done.toLocaleString('en')}${share} · ${rate.toLocaleString('en')}/s · ${seconds.toFixed(1)}s`;
    if (tty) process.stderr.write(`\r${line}${final ? '\n' : ''}`);
    else if (final || Date.now() - lastPrint > 5_000) process.stderr.write(`${line}\n`);
    lastPrint = Date.now();
  };
  return {
    add(count: number) {
      done += count;
      if (Date.now() - lastPrint > (tty ? 100 : 5_000)) render(false);
    },
    finish() {
      render(true);
      return { done, seconds: (Date.now() - started) / 1_000 };
    },
  };
}
