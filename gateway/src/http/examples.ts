/** Ready-to-copy calls for a new Code (seed 001 shows the same three). */
export function codeExamples(baseUrl: string, code: string): { url: string; curl: string; python: string; node: string } {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/notify/${code}`;
  const curl = [
    `curl -X POST "${url}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"title": "Server alert", "content": "CPU above 90%\\n\\n**Host**: web-01"}'`,
  ].join('\n');
  const python = [
    'import requests',
    '',
    `url = "${url}"`,
    'payload = {"title": "Backup finished", "content": "user_db backed up (1.2 GB)"}',
    'response = requests.post(url, json=payload, timeout=10)',
    'print(response.status_code, response.json())',
  ].join('\n');
  const node = [
    `const url = '${url}';`,
    '',
    'const response = await fetch(url, {',
    "  method: 'POST',",
    "  headers: { 'Content-Type': 'application/json' },",
    "  body: JSON.stringify({ title: 'Deployed', content: 'v1.2.3 is live' }),",
    '});',
    'console.log(response.status, await response.json());',
  ].join('\n');
  return { url, curl, python, node };
}
