import type { ContentFormat } from '../model/notification';

/**
 * Turns WeCom/CommonMark-style markdown into readable plain text: for readers that do not
 * render markdown (the WeChat plugin of WeCom apps, personal WeChat, SMS-like channels).
 */
export function markdownToText(markdown: string): string {
  const out: string[] = [];
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) {
      out.push(line);
      continue;
    }
    out.push(
      line
        .replace(/^\s{0,3}#{1,6}\s+/, '')
        .replace(/^\s{0,3}>\s?/, '')
        .replace(/^\s*[-*+]\s+(\[[ xX]\]\s+)?/, '• ')
        .replace(/^\s*([-*_])(\s*\1){2,}\s*$/, '──────────')
        .replace(/!\[([^\]]*)\]\(([^)\s]+)[^)]*\)/g, (_m, alt: string, url: string) => (alt ? `${alt} ${url}` : url))
        .replace(/\[([^\]]+)\]\(([^)\s]+)[^)]*\)/g, (_m, text: string, url: string) => (text === url ? url : `${text} (${url})`))
        .replace(/<font[^>]*>(.*?)<\/font>/gi, '$1')
        .replace(/<@([^>]+)>/g, '@$1')
        .replace(/(\*\*|__)(.+?)\1/g, '$2')
        .replace(/(^|[^*\w])\*(?!\s)([^*\n]+?)\*(?!\w)/g, '$1$2')
        .replace(/~~(.+?)~~/g, '$1')
        .replace(/`([^`]+)`/g, '$1'),
    );
  }
  return out.join('\n');
}

/** Strips HTML tags and decodes the common entities, keeping line breaks of block elements. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h[1-6]|tr)>/gi, '\n')
    .replace(/<li[^>]*>/gi, '• ')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The notification's content as plain text, whatever its format. */
export function toPlainText(content: string, format: ContentFormat = 'text'): string {
  if (format === 'markdown') return markdownToText(content);
  if (format === 'html') return htmlToText(content);
  return content;
}

/** Puts the title in front of the content the way each format shows a heading. */
export function withTitle(content: string, title: string | undefined, format: ContentFormat = 'text'): string {
  if (!title) return content;
  if (format === 'markdown') return `**${title}**\n${content}`;
  if (format === 'html') return `<h3>${escapeHtml(title)}</h3>${content}`;
  return `${title}\n${content}`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
