/**
 * Hides the user-info part of every URL in a text: `http://user:secret@host` becomes `http://***@host`.
 * Endpoints are echoed in error messages, doctor reports and logs, and an operator may paste one with a
 * password in it; the password must never reach a screen, a log file or a support bundle. One helper, used by
 * every place that prints text which may hold an endpoint (errors, CLI output, the app's log).
 */
export function redactUrlCredentials(text: string): string {
  // scheme://userinfo@ where userinfo has no '/', '?', '#' or whitespace (RFC 3986 percent-encodes an '@' in it).
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, '$1***@');
}
