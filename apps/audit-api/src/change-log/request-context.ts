import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from '@agent-ledger/auth';
import type { ChangeContext } from './change-recorder.service';

interface RequestLike extends AuthenticatedRequest {
  ip?: string;
  socket?: { remoteAddress?: string };
}

/** The acting key, client IP and user agent of an administrative request. */
export const ChangeCtx = createParamDecorator((_data: unknown, ctx: ExecutionContext): ChangeContext => {
  const req = ctx.switchToHttp().getRequest<RequestLike>();
  if (!req.principal) throw new Error('ChangeCtx used on a route without authentication');
  const ua = req.headers['user-agent'];
  return { principal: req.principal, ip: req.ip ?? req.socket?.remoteAddress, userAgent: Array.isArray(ua) ? ua[0] : ua };
});
