/** The one message every example sends, so that curl, Python and Node can be compared line by line. */
export const EXAMPLE_MESSAGE = { title: '服务器告警', content: 'CPU使用率超过90%，请及时处理！\n\n**服务器**: web-01' } as const;

/** Ready-to-copy calls for a new Code (seed 001 shows the same three), all sending EXAMPLE_MESSAGE. */
export function codeExamples(baseUrl: string, code: string): { url: string; curl: string; python: string; node: string } {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/notify/${code}`;
  const json = JSON.stringify(EXAMPLE_MESSAGE);
  const curl = [`curl -X POST "${url}" \\`, `  -H "Content-Type: application/json" \\`, `  -d '${json}'`].join('\n');
  const python = [
    'import requests',
    '',
    `url = "${url}"`,
    `payload = ${JSON.stringify(EXAMPLE_MESSAGE, null, 0).replace(/","/g, '", "').replace(/":"/g, '": "')}`,
    'response = requests.post(url, json=payload, timeout=10)',
    'print(response.status_code, response.json())',
  ].join('\n');
  const node = [
    `const url = '${url}';`,
    '',
    'const response = await fetch(url, {',
    "  method: 'POST',",
    "  headers: { 'Content-Type': 'application/json' },",
    `  body: JSON.stringify(${json}),`,
    '});',
    'console.log(response.status, await response.json());',
  ].join('\n');
  return { url, curl, python, node };
}
