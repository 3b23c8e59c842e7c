/** A multipart/form-data part as the fakes see it. */
export interface FakePart {
  name: string;
  filename?: string;
  /** Raw Content-Disposition header of the part (e.g. to check `filelength`). */
  disposition: string;
  contentType?: string;
  data: Buffer;
}

/** Parses a multipart body strictly enough for the fakes; returns undefined when it is not multipart. */
export function parseMultipart(body: Buffer, contentType: string | undefined): FakePart[] | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!contentType?.toLowerCase().startsWith('multipart/form-data') || !boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: FakePart[] = [];
  let start = body.indexOf(delimiter);
  if (start === -1) return undefined;
  for (;;) {
    start += delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    start += 2; // CRLF after the delimiter
    const headerEnd = body.indexOf('\r\n\r\n', start);
    if (headerEnd === -1) return undefined;
    const headers = body.subarray(start, headerEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(delimiter, headerEnd + 4);
    if (next === -1) return undefined;
    const data = body.subarray(headerEnd + 4, next - 2); // strip the CRLF before the delimiter
    const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? '';
    const type = headers.find((h) => /^content-type:/i.test(h));
    parts.push({
      name: /\bname="([^"]*)"/.exec(disposition)?.[1] ?? '',
      filename: /\bfilename="([^"]*)"/.exec(disposition)?.[1],
      disposition,
      contentType: type?.split(':')[1]?.trim(),
      data,
    });
    start = next;
  }
  return parts;
}
