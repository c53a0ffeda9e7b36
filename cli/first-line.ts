/** The first line on stdin (a SIEM's scheduler may pass a session key there and keep stdin open). */
export function firstLine(stream: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let text = '';
    const done = (): void => {
      stream.removeListener('data', onData);
      stream.pause();
      resolvePromise(text.split('\n')[0] ?? '');
    };
    const onData = (c: Buffer): void => {
      text += c.toString('utf8');
      if (text.includes('\n')) done();
    };
    stream.on('data', onData);
    stream.once('end', done);
    stream.once('error', reject);
  });
}
