// Shopify's REST payloads carry 64-bit ids as JSON numbers; JavaScript numbers lose digits above
// 2^53 (e.g. the documented sample's customer 115310627314723954). parseShopifyJson turns integer
// literals of 16 or more digits into strings before parsing, outside string literals only.
export function quoteLargeIntegers(raw: string): string {
  let out = "";
  let last = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      continue;
    }
    if ((c >= 48 && c <= 57) || c === 45 /* - */) {
      let j = i + (c === 45 ? 1 : 0);
      while (j < raw.length && raw.charCodeAt(j) >= 48 && raw.charCodeAt(j) <= 57) j++;
      const next = raw.charCodeAt(j);
      const isInteger = next !== 46 /* . */ && next !== 101 && next !== 69; /* e E */
      const digits = j - i - (c === 45 ? 1 : 0);
      if (isInteger && digits >= 16) {
        out += raw.slice(last, i) + '"' + raw.slice(i, j) + '"';
        last = j;
      }
      i = j - 1;
    }
  }
  return last === 0 ? raw : out + raw.slice(last);
}

export function parseShopifyJson(raw: string): unknown {
  return JSON.parse(quoteLargeIntegers(raw));
}
