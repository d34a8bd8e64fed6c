import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpSettings } from '../config/notifier.config';

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The same on every attempt, so a receiving system can tell a repeat. */
  messageId: string;
  headers?: Record<string, string>;
  attachments?: { filename: string; content: string; contentType: string }[];
}

export interface SentEmail {
  /** The server's final reply, e.g. `250 2.0.0 Ok: queued`. */
  response: string;
}

/** Where emails go: SMTP through nodemailer (pooled), or nowhere when SMTP is not configured. */
export interface MailTransport {
  readonly configured: boolean;
  send(email: OutgoingEmail): Promise<SentEmail>;
  close(): void;
}

export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');

/** What an SMTP failure means for the delivery. */
export interface SmtpFailure {
  /** 5xx: the server refused for good; retrying would not help. */
  permanent: boolean;
  /** The SMTP reply code, when the server answered. */
  responseCode?: number;
  message: string;
}

export function createMailTransport(smtp: SmtpSettings | undefined, maxConnections: number): MailTransport {
  if (!smtp) {
    return {
      configured: false,
      send: () => Promise.reject(Object.assign(new Error('SMTP is not configured (SMTP_URL or SMTP_HOST)'), { permanentConfig: true })),
      close: () => undefined,
    };
  }
  const transporter: Transporter = nodemailer.createTransport({
    pool: true,
    maxConnections,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls,
    // Without requireTLS, STARTTLS is still used whenever the server offers it.
    tls: { rejectUnauthorized: smtp.rejectUnauthorized },
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
  });
  return {
    configured: true,
    async send(email) {
      const info = await transporter.sendMail({
        from: email.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: email.messageId,
        headers: email.headers,
        attachments: email.attachments,
      });
      return { response: String(info.response ?? '') };
    },
    close: () => transporter.close(),
  };
}

/**
 * SMTP replies 5xx are permanent (the recipient or message is refused), 4xx and failures without a
 * reply (connection refused, timeout, TLS) are temporary. A missing SMTP configuration is permanent.
 */
export function classifySmtpFailure(err: unknown): SmtpFailure {
  const e = err as { responseCode?: unknown; response?: unknown; message?: unknown; permanentConfig?: boolean; code?: unknown };
  const message = String(e?.response ?? e?.message ?? err);
  if (e?.permanentConfig) return { permanent: true, message };
  const code = typeof e?.responseCode === 'number' ? e.responseCode : undefined;
  if (code !== undefined) return { permanent: code >= 500 && code < 600, responseCode: code, message };
  return { permanent: false, message: e?.code ? `${String(e.code)}: ${message}` : message };
}
