/** A minimal cookie jar for following login redirects by hand (one host, paths honoured). */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  /** Applies the `Set-Cookie` headers of a response (expired ones delete). */
  apply(setCookie: string | string[] | undefined): void {
    for (const header of setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair, ...attributes] = header.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = decodeURIComponent(pair.slice(eq + 1));
      const attr = (key: string): string | undefined =>
        attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const expires = attr('expires');
      const maxAge = attr('max-age');
      const expired =
        (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) <= Date.now());
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, { value, path: attr('path') ?? '/' });
    }
  }

  /** The `Cookie` header for a request to `path`. */
  header(path: string): string {
    return [...this.cookies.entries()]
      .filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${encodeURIComponent(c.value)}`)
      .join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  set(name: string, value: string, path = '/'): void {
    this.cookies.set(name, { value, path });
  }

  delete(name: string): void {
    this.cookies.delete(name);
  }

  clone(): CookieJar {
    const copy = new CookieJar();
    for (const [name, c] of this.cookies) copy.set(name, c.value, c.path);
    return copy;
  }
}
